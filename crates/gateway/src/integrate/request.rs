//! Integration request mapping templates, chosen by the request's content type.

use http::header::HeaderValue;
use turnpike_model::PassthroughBehavior;

use super::mapping_template::MappingTemplate;
use crate::gateway_response::GatewayError;

/// `requestTemplates` with `passthroughBehavior`.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestTemplates {
    /// (lower-case content type, its value for the integration request, template).
    templates: Vec<(Box<str>, HeaderValue, MappingTemplate)>,
    passthrough: PassthroughBehavior,
}

impl RequestTemplates {
    pub(crate) fn compile(
        templates: &std::collections::BTreeMap<String, String>,
        passthrough: PassthroughBehavior,
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
        }
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
        let t = RequestTemplates::compile(&map, passthrough, &mut problems);
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
