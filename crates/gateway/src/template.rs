//! Substitution templates: static text with `$context` and `$stageVariables` references, for
//! access-log formats, which AWS only substitutes.
//!
//! This is **not** Velocity: mapping templates and gateway-response templates render with
//! `turnpike_vtl` (see `integrate::mapping_template`). This engine knows exactly one thing:
//! references to `$context.x`, `${context.x}`, `$!context.x`, `$!{context.x}` and the same forms
//! of `$stageVariables.x`. It substitutes those and copies every other character verbatim. A
//! reference whose value is missing prints `-`, as AWS's access logs do.
//!
//! Templates are parsed once, when a deployment is compiled, into text and reference segments.

use std::borrow::Cow;

/// Where a reference's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Root {
    /// `$context.x`: the request's context variables.
    Context,
    /// `$stageVariables.x`: the stage's variables.
    StageVariables,
}

/// The values references resolve against.
pub(crate) trait Variables {
    /// `$context.<name>`, e.g. `requestId`, `identity.sourceIp`, `error.messageString`.
    fn context(&self, name: &str) -> Option<Cow<'_, str>>;
    /// `$stageVariables.<name>`.
    fn stage_variable(&self, name: &str) -> Option<&str>;
}

/// How a reference without a value renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Missing {
    /// API Gateway access logs: `-`.
    Dash,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Reference {
    root: Root,
    name: Box<str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Text(Box<str>),
    Reference(Reference),
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Template {
    segments: Vec<Segment>,
    /// Upper bound of the literal text, to size the output once.
    text_len: usize,
}

impl Template {
    /// Parses `text`; never fails, since anything that is not a reference is text.
    pub(crate) fn parse(text: &str) -> Template {
        let bytes = text.as_bytes();
        let mut segments = Vec::new();
        let mut literal_start = 0;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'$' {
                i += 1;
                continue;
            }
            match parse_reference(text, i) {
                Some((reference, end)) => {
                    if literal_start < i {
                        segments.push(Segment::Text(text[literal_start..i].into()));
                    }
                    segments.push(Segment::Reference(reference));
                    i = end;
                    literal_start = end;
                }
                None => i += 1,
            }
        }
        if literal_start < text.len() {
            segments.push(Segment::Text(text[literal_start..].into()));
        }
        let text_len = segments
            .iter()
            .map(|s| match s {
                Segment::Text(t) => t.len(),
                Segment::Reference(_) => 0,
            })
            .sum();
        Template { segments, text_len }
    }

    /// Renders into `out`, with `missing` deciding what a reference without a value becomes.
    pub(crate) fn render_into(&self, vars: &dyn Variables, missing: Missing, out: &mut String) {
        for segment in &self.segments {
            match segment {
                Segment::Text(text) => out.push_str(text),
                Segment::Reference(r) => {
                    let value = match r.root {
                        Root::Context => vars.context(&r.name),
                        Root::StageVariables => vars.stage_variable(&r.name).map(Cow::Borrowed),
                    };
                    match (value, missing) {
                        (Some(v), _) => out.push_str(&v),
                        (None, Missing::Dash) => out.push('-'),
                    }
                }
            }
        }
    }

    /// The references in the template, in order, as (root, name).
    pub(crate) fn references(&self) -> impl Iterator<Item = (Root, &str)> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Reference(r) => Some((r.root, &*r.name)),
            Segment::Text(_) => None,
        })
    }
}

/// Parses a reference starting at the `$` at `start`; the reference and the index after it.
fn parse_reference(text: &str, start: usize) -> Option<(Reference, usize)> {
    let bytes = text.as_bytes();
    let mut i = start + 1;
    // `$!` (quiet) changes nothing here: a missing value prints `-` either way.
    if bytes.get(i) == Some(&b'!') {
        i += 1;
    }
    let braced = bytes.get(i) == Some(&b'{');
    if braced {
        i += 1;
    }
    let root_end = identifier_end(bytes, i)?;
    let root = match &text[i..root_end] {
        "context" => Root::Context,
        "stageVariables" => Root::StageVariables,
        _ => return None,
    };
    let mut end = root_end;
    // `.name` segments; a dot not followed by an identifier is text after the reference.
    while bytes.get(end) == Some(&b'.') {
        match identifier_end(bytes, end + 1) {
            Some(next) => end = next,
            None => break,
        }
    }
    if end == root_end {
        return None;
    }
    let name: Box<str> = text[root_end + 1..end].into();
    if braced {
        if bytes.get(end) != Some(&b'}') {
            return None;
        }
        end += 1;
    }
    Some((Reference { root, name }, end))
}

/// Velocity identifiers: a letter, then letters, digits, `_` or `-`.
fn identifier_end(bytes: &[u8], start: usize) -> Option<usize> {
    if !bytes.get(start)?.is_ascii_alphabetic() {
        return None;
    }
    let mut end = start + 1;
    while bytes
        .get(end)
        .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_' || *b == b'-')
    {
        end += 1;
    }
    Some(end)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Plain maps as template variables.
    #[derive(Default)]
    pub(crate) struct MapVars {
        pub context: BTreeMap<&'static str, &'static str>,
        pub stage: BTreeMap<String, String>,
    }

    impl Variables for MapVars {
        fn context(&self, name: &str) -> Option<Cow<'_, str>> {
            self.context.get(name).map(|v| Cow::Borrowed(*v))
        }
        fn stage_variable(&self, name: &str) -> Option<&str> {
            self.stage.get(name).map(String::as_str)
        }
    }

    /// Renders with access logs' `-` for missing values.
    fn render(t: &Template, vars: &MapVars) -> String {
        let mut out = String::new();
        t.render_into(vars, Missing::Dash, &mut out);
        out
    }

    fn vars() -> MapVars {
        let mut v = MapVars::default();
        v.context.insert("requestId", "r-1");
        v.context.insert("identity.sourceIp", "10.0.0.1");
        v.context.insert("stage", "dev");
        v.stage.insert("host".into(), "example.com".into());
        v
    }

    #[test]
    fn substitutes_every_reference_form() {
        let t = Template::parse(
            r#"{"id":"$context.requestId","ip":"${context.identity.sourceIp}","q":"$!context.stage","b":"$!{context.stage}","h":"$stageVariables.host/${stageVariables.host}"}"#,
        );
        assert_eq!(
            render(&t, &vars()),
            r#"{"id":"r-1","ip":"10.0.0.1","q":"dev","b":"dev","h":"example.com/example.com"}"#
        );
    }

    #[test]
    fn leaves_everything_else_verbatim() {
        let text = r#"#set($x = 1) $input.json('$') $util.escapeJavaScript($x) costs $5 \$context.stage $ {context.stage}"#;
        let t = Template::parse(text);
        assert_eq!(
            render(&t, &vars()),
            r#"#set($x = 1) $input.json('$') $util.escapeJavaScript($x) costs $5 \dev $ {context.stage}"#
        );
    }

    #[test]
    fn a_reference_ends_where_its_identifiers_end() {
        let t =
            Template::parse("[$context.stage.] ($context.stage) $context.stage\"x ${context.stage");
        assert_eq!(render(&t, &vars()), "[dev.] (dev) dev\"x ${context.stage");
    }

    #[test]
    fn missing_values_print_a_dash() {
        let t = Template::parse(
            "a=$context.nope b=$!context.nope c=${stageVariables.nope} d=$!{stageVariables.nope}",
        );
        assert_eq!(render(&t, &vars()), "a=- b=- c=- d=-");
    }

    #[test]
    fn bare_roots_and_other_roots_are_text() {
        let t = Template::parse("$context $stageVariables. $input.body $contextual.x");
        assert_eq!(
            render(&t, &vars()),
            "$context $stageVariables. $input.body $contextual.x"
        );
        assert_eq!(t.references().count(), 0);
    }

    #[test]
    fn lists_its_references() {
        let t = Template::parse("$context.requestId ${stageVariables.a} $!context.error.message");
        let refs: Vec<_> = t.references().collect();
        assert_eq!(
            refs,
            [
                (Root::Context, "requestId"),
                (Root::StageVariables, "a"),
                (Root::Context, "error.message")
            ]
        );
    }

    #[test]
    fn multibyte_text_survives() {
        let t = Template::parse("héllo $context.stage ✓");
        assert_eq!(render(&t, &vars()), "héllo dev ✓");
    }
}
