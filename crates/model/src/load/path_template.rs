//! Resource path templates (`/pets/{petId}`, `/files/{proxy+}`) as API Gateway accepts them.
//!
//! A parameter is always a whole segment; a greedy `{name+}` only the last one. REST APIs also
//! restrict literal segments and parameter names to the characters CreateResource accepts
//! (`a-zA-Z0-9._-`, and `:` which AWS accepts in practice although its message omits it), and a REST
//! resource may have only one variable child.

use std::collections::HashMap;

use crate::api::ApiKind;

/// One `/`-separated part of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Literal(String),
    /// `{name}`
    Param(String),
    /// `{name+}`
    Greedy(String),
}

/// A checked path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    pub segments: Vec<Segment>,
}

impl Template {
    /// Parameter names (greedy ones without their `+`).
    pub fn params(&self) -> Vec<String> {
        self.segments
            .iter()
            .filter_map(|s| match s {
                Segment::Param(n) | Segment::Greedy(n) => Some(n.clone()),
                Segment::Literal(_) => None,
            })
            .collect()
    }

    /// The path with parameter names erased: `/pets/{id}` and `/pets/{petId}` are the same route.
    pub fn normalized(&self) -> String {
        if self.segments.is_empty() {
            return "/".into();
        }
        self.segments
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => format!("/{l}"),
                Segment::Param(_) => "/{}".into(),
                Segment::Greedy(_) => "/{+}".into(),
            })
            .collect()
    }
}

const REST_CHARS: &str = "a-zA-Z0-9._-:";

fn rest_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':')
}

/// Parses and checks `path`; the error says what is wrong and what is allowed.
pub(crate) fn parse(path: &str, kind: ApiKind) -> Result<Template, String> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!(
            "path \"{path}\" must start with \"/\", as in \"/{path}\""
        ));
    };
    if rest.is_empty() {
        return Ok(Template {
            segments: Vec::new(),
        });
    }
    let parts: Vec<&str> = rest.split('/').collect();
    let mut segments = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        segments.push(segment(path, part, last, kind)?);
    }
    let template = Template { segments };
    check_unique_params(path, &template)?;
    Ok(template)
}

fn segment(path: &str, part: &str, last: bool, kind: ApiKind) -> Result<Segment, String> {
    if part.is_empty() {
        return Err(if last {
            format!("path \"{path}\" must not end with \"/\" (only the root path \"/\" may)")
        } else {
            format!("path \"{path}\" has an empty segment (\"//\"); each segment between slashes must be a name or a {{param}}")
        });
    }
    if !part.contains(['{', '}']) {
        if kind == ApiKind::Rest && !part.chars().all(rest_char) {
            return Err(format!("path segment \"{part}\" of \"{path}\" may only contain {REST_CHARS} in a REST API (AWS: \"Resource's path part only allow a-zA-Z0-9._- and curly braces at the beginning and the end\")"));
        }
        return Ok(Segment::Literal(part.to_owned()));
    }
    let inner = part.strip_prefix('{').and_then(|p| p.strip_suffix('}'));
    let Some(inner) = inner.filter(|i| !i.contains(['{', '}'])) else {
        let opens = part.matches('{').count();
        return Err(if opens != part.matches('}').count() {
            format!("unbalanced braces in segment \"{part}\" of \"{path}\"; a parameter is written {{name}}")
        } else {
            format!("parameter in segment \"{part}\" of \"{path}\" must be the whole segment, as in \"/a/{{b}}\" (API Gateway does not allow \"/a{{b}}\")")
        });
    };
    let (name, greedy) = match inner.strip_suffix('+') {
        Some(name) => (name, true),
        None => (inner, false),
    };
    if name.is_empty() {
        return Err(format!(
            "empty parameter name \"{part}\" in \"{path}\"; expected {{name}} or {{name+}}"
        ));
    }
    if !name.chars().all(rest_char) {
        return Err(format!(
            "parameter name \"{name}\" in \"{path}\" may only contain {REST_CHARS}"
        ));
    }
    if greedy && !last {
        return Err(format!(
            "greedy parameter \"{part}\" in \"{path}\" must be the last segment"
        ));
    }
    Ok(if greedy {
        Segment::Greedy(name.to_owned())
    } else {
        Segment::Param(name.to_owned())
    })
}

fn check_unique_params(path: &str, template: &Template) -> Result<(), String> {
    let params = template.params();
    for (i, name) in params.iter().enumerate() {
        if params.iter().take(i).any(|p| p == name) {
            return Err(format!(
                "duplicate path parameter \"{name}\" in \"{path}\"; each parameter needs its own name"
            ));
        }
    }
    Ok(())
}

/// The REST resource tree, to find siblings with different variable parts (`/pets/{id}` beside
/// `/pets/{petId}/toys`), which AWS refuses.
#[derive(Debug, Default)]
pub(crate) struct ResourceTree {
    /// Parent resource path → (its variable child's path part, the first path that declared it).
    variable_children: HashMap<String, (String, String)>,
}

impl ResourceTree {
    /// Adds the resources of `path`; an error names the conflicting path.
    pub fn add(&mut self, path: &str, template: &Template) -> Result<(), String> {
        let mut parent = String::new();
        for segment in &template.segments {
            let part = match segment {
                Segment::Literal(l) => l.clone(),
                Segment::Param(n) => format!("{{{n}}}"),
                Segment::Greedy(n) => format!("{{{n}+}}"),
            };
            if !matches!(segment, Segment::Literal(_)) {
                let parent_path = if parent.is_empty() { "/" } else { &parent };
                match self.variable_children.get(&parent) {
                    Some((existing, first)) if *existing != part => {
                        return Err(format!("path \"{path}\" conflicts with \"{first}\": the REST resource \"{parent_path}\" may have only one variable child and already has \"{existing}\" (AWS: \"A sibling ({existing}) of this resource already has a variable path part -- only one is allowed\"); use the same parameter name"));
                    }
                    Some(_) => {}
                    None => {
                        let entry = (part.clone(), path.to_owned());
                        self.variable_children.insert(parent.clone(), entry);
                    }
                }
            }
            parent.push('/');
            parent.push_str(&part);
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "path_template_tests.rs"]
mod tests;
