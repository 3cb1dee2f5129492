//! Integration request mapping templates, chosen by the request's content type, and the
//! integration's `contentHandling` of the request body.

use bytes::Bytes;
use http::header::{HeaderValue, CONTENT_TYPE};
use http::HeaderMap;
use turnpike_model::{ContentHandling, PassthroughBehavior};
use turnpike_vtl::Overrides;

use super::content_handling::{self, RequestPayload};
use super::mapping_template::MappingTemplate;
use crate::context::RequestContext;
use crate::gateway_response::GatewayError;
use crate::mapping::MethodRequest;

/// `requestTemplates` with `passthroughBehavior` and `contentHandling`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestTemplates {
    /// (lower-case content type, its value for the integration request, template).
    templates: Vec<(Box<str>, HeaderValue, MappingTemplate)>,
    passthrough: PassthroughBehavior,
    content_handling: Option<ContentHandling>,
}

/// What a request's integration body comes from: its template, if one applies, and how the body
/// is converted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Selected<'t> {
    /// The template's content type (the integration request's `Content-Type`) and template.
    pub(crate) template: Option<(&'t HeaderValue, &'t MappingTemplate)>,
    pub(crate) payload: RequestPayload,
}

impl Selected<'_> {
    /// True when the body must be read whole (a template reads it or it is converted).
    pub(crate) fn reads_body(&self) -> bool {
        self.template.is_some() || self.payload.converts()
    }

    /// The integration request's body from the whole method request `body`: the template's
    /// output (with its `$context.requestOverride`) or the body passed through, converted as
    /// `contentHandling` says.
    pub(crate) fn body(
        &self,
        body: Bytes,
        request: &MethodRequest<'_>,
        ctx: &RequestContext,
    ) -> Result<(Bytes, Option<Overrides>), GatewayError> {
        match (self.template, self.payload) {
            (Some((_, template)), payload) => {
                let rendered = template.render(&payload.text(&body), request, ctx)?;
                Ok((
                    payload.finish(Bytes::from(rendered.body))?,
                    Some(rendered.overrides),
                ))
            }
            (None, RequestPayload::Binary) => Ok((body, None)),
            (None, payload) if payload.converts() => {
                Ok((payload.finish(Bytes::from(payload.text(&body)))?, None))
            }
            (None, _) => Ok((body, None)),
        }
    }
}

impl RequestTemplates {
    pub(crate) fn compile(
        templates: &std::collections::BTreeMap<String, String>,
        passthrough: PassthroughBehavior,
        content_handling: Option<ContentHandling>,
        problems: &mut Vec<String>,
    ) -> RequestTemplates {
        let mut compiled = Vec::with_capacity(templates.len());
        for (content_type, text) in templates {
            match HeaderValue::from_str(content_type) {
                Ok(value) => compiled.push((
                    content_type.to_ascii_lowercase().into(),
                    value,
                    MappingTemplate::compile(
                        text,
                        &format!("requestTemplates.{content_type}"),
                        problems,
                    ),
                )),
                Err(_) => problems.push(format!(
                    "requestTemplates: {content_type:?} is not a content type"
                )),
            }
        }
        RequestTemplates {
            templates: compiled,
            passthrough,
            content_handling,
        }
    }

    /// The template and conversion for a method request with `headers`: a binary body (its
    /// `Content-Type` among the API's binary media types) skips templates unless
    /// CONVERT_TO_TEXT turned it into base64 text; `passthroughBehavior` applies either way.
    pub(crate) fn for_request(
        &self,
        ctx: &RequestContext,
        headers: &HeaderMap,
    ) -> Result<Selected<'_>, GatewayError> {
        let content_type = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok());
        let template = self.select(content_type)?;
        let payload = RequestPayload::of(
            content_handling::request_is_binary(ctx, headers),
            self.content_handling,
        );
        Ok(Selected {
            template: template.filter(|_| payload != RequestPayload::Binary),
            payload,
        })
    }

    /// The template for a request with `content_type` (`application/json` when absent), `None`
    /// to pass the body through, or 415 when `passthroughBehavior` forbids passing it through.
    pub(crate) fn select(
        &self,
        content_type: Option<&str>,
    ) -> Result<Option<(&HeaderValue, &MappingTemplate)>, GatewayError> {
        let wanted = content_type.map_or("application/json", media_type);
        let found = self
            .templates
            .iter()
            .find(|(ct, _, _)| ct.eq_ignore_ascii_case(wanted));
        match (found, self.passthrough) {
            (Some((_, value, template)), _) => Ok(Some((value, template))),
            (None, PassthroughBehavior::WhenNoMatch) => Ok(None),
            (None, PassthroughBehavior::WhenNoTemplates) if self.templates.is_empty() => Ok(None),
            (None, _) => Err(GatewayError::unsupported_media_type()),
        }
    }
}

/// The media type of a `Content-Type` / `Accept` entry, without parameters.
pub(crate) fn media_type(value: &str) -> &str {
    value.split(';').next().unwrap_or(value).trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use turnpike_model::GatewayResponseType;

    fn templates(pairs: &[(&str, &str)], passthrough: PassthroughBehavior) -> RequestTemplates {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut problems = Vec::new();
        let t = RequestTemplates::compile(&map, passthrough, None, &mut problems);
        assert!(problems.is_empty());
        t
    }

    fn chosen(
        t: &RequestTemplates,
        content_type: Option<&str>,
    ) -> Result<Option<String>, GatewayResponseType> {
        t.select(content_type)
            .map(|found| found.map(|(ct, _)| ct.to_str().unwrap().to_string()))
            .map_err(|e| e.kind)
    }

    #[test]
    fn picks_by_media_type_with_json_as_the_default() {
        let t = templates(
            &[("application/json", "{}"), ("Application/XML", "<x/>")],
            PassthroughBehavior::WhenNoMatch,
        );
        assert_eq!(chosen(&t, None), Ok(Some("application/json".into())));
        assert_eq!(
            chosen(&t, Some("application/xml; charset=utf-8")),
            Ok(Some("Application/XML".into()))
        );
        assert_eq!(chosen(&t, Some("text/plain")), Ok(None));
    }

    #[test]
    fn passthrough_behaviour_decides_unmatched_requests() {
        let with = |p| templates(&[("application/json", "{}")], p);
        let without = |p| templates(&[], p);
        let ums = Err(GatewayResponseType::UnsupportedMediaType);
        assert_eq!(
            chosen(
                &with(PassthroughBehavior::WhenNoTemplates),
                Some("text/plain")
            ),
            ums
        );
        assert_eq!(
            chosen(
                &without(PassthroughBehavior::WhenNoTemplates),
                Some("text/plain")
            ),
            Ok(None)
        );
        assert_eq!(
            chosen(&with(PassthroughBehavior::Never), Some("text/plain")),
            ums
        );
        assert_eq!(chosen(&without(PassthroughBehavior::Never), None), ums);
        assert_eq!(
            chosen(&with(PassthroughBehavior::Never), Some("application/json")),
            Ok(Some("application/json".into()))
        );
    }
}
