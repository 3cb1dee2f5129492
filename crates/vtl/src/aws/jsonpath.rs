//! The JSONPath subset API Gateway's `$input.json`/`$input.path` accept: `$`, `.name`,
//! `['name']`, `[n]` (negative from the end), `[*]`, `.*` and `..name` (deep scan).

use crate::value::Value;

#[derive(Debug, PartialEq)]
enum Step {
    Name(String),
    Index(i64),
    Wildcard,
    Deep(String),
}

/// What a path selected: one value (a definite path), several (wildcards), or nothing.
#[derive(Debug)]
pub(crate) enum Selection {
    One(Value),
    Many(Vec<Value>),
    Missing,
}

/// Evaluates `path` against `root`. The selected values share structure with `root`, so a
/// template that changes them changes what a later `$input.json` prints, as in API Gateway.
pub(crate) fn select(root: &Value, path: &str) -> Result<Selection, String> {
    let steps = parse(path)?;
    let definite = steps
        .iter()
        .all(|s| matches!(s, Step::Name(_) | Step::Index(_)));
    let mut current = vec![root.clone()];
    for step in &steps {
        let mut next = Vec::new();
        for value in current {
            match (step, &value) {
                (Step::Name(name), Value::Map(map)) => {
                    next.extend(map.borrow().get(name.as_str()).cloned())
                }
                (Step::Index(i), Value::List(items)) => {
                    let items = items.borrow();
                    let i = if *i < 0 { items.len() as i64 + i } else { *i };
                    next.extend(usize::try_from(i).ok().and_then(|i| items.get(i)).cloned());
                }
                (Step::Wildcard, Value::List(items)) => next.extend(items.borrow().iter().cloned()),
                (Step::Wildcard, Value::Map(map)) => next.extend(map.borrow().values().cloned()),
                (Step::Deep(name), _) => deep(&value, name, &mut next, 0),
                _ => {}
            }
        }
        current = next;
    }
    Ok(if definite {
        current
            .into_iter()
            .next()
            .map_or(Selection::Missing, Selection::One)
    } else {
        Selection::Many(current)
    })
}

fn deep(value: &Value, name: &str, out: &mut Vec<Value>, depth: usize) {
    // Templates can build cyclic structures (`$l.add($l)`); stop where Java would overflow.
    if depth > 64 {
        return;
    }
    match value {
        Value::Map(map) => {
            let map = map.borrow();
            if let Some(found) = map.get(name) {
                out.push(found.clone());
            }
            for child in map.values() {
                deep(child, name, out, depth + 1);
            }
        }
        Value::List(items) => items
            .borrow()
            .iter()
            .for_each(|child| deep(child, name, out, depth + 1)),
        _ => {}
    }
}

fn parse(path: &str) -> Result<Vec<Step>, String> {
    let invalid = |why: &str| format!("invalid JSONPath {path:?}: {why}");
    let path = path.trim();
    // API Gateway also accepts a path without the leading `$` (`$input.json('name')`).
    let dotted;
    let rest = match path.strip_prefix('$') {
        Some(rest) => rest,
        None if path.starts_with('[') => path,
        None => {
            dotted = format!(".{path}");
            dotted.as_str()
        }
    };
    let bytes = rest.as_bytes();
    let mut steps = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes.get(i) {
            Some(b'.') if bytes.get(i + 1) == Some(&b'.') => {
                let (name, end) = name_at(rest, i + 2);
                if name.is_empty() {
                    return Err(invalid("expected a name after `..`"));
                }
                steps.push(Step::Deep(name.to_string()));
                i = end;
            }
            Some(b'.') => {
                let (name, end) = name_at(rest, i + 1);
                match name {
                    "" => return Err(invalid("expected a name after `.`")),
                    "*" => steps.push(Step::Wildcard),
                    name => steps.push(Step::Name(name.to_string())),
                }
                i = end;
            }
            Some(b'[') => {
                let close = rest
                    .get(i..)
                    .and_then(|r| r.find(']'))
                    .ok_or_else(|| invalid("unclosed `[`"))?
                    + i;
                let inner = rest.get(i + 1..close).unwrap_or("").trim();
                let quoted = inner
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')));
                if let Some(name) = quoted {
                    steps.push(Step::Name(name.to_string()));
                } else if inner == "*" {
                    steps.push(Step::Wildcard);
                } else {
                    let index = inner
                        .parse::<i64>()
                        .map_err(|_| invalid("unsupported bracket expression"))?;
                    steps.push(Step::Index(index));
                }
                i = close + 1;
            }
            _ => return Err(invalid("expected `.` or `[`")),
        }
    }
    Ok(steps)
}

/// A dot-notation name starting at `from`: up to the next `.` or `[`.
fn name_at(s: &str, from: usize) -> (&str, usize) {
    let tail = s.get(from..).unwrap_or("");
    let len = tail.find(['.', '[']).unwrap_or(tail.len());
    (tail.get(..len).unwrap_or(""), from + len)
}
