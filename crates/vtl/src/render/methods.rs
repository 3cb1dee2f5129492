//! Properties and method calls on values: the Java `String`, `List`, `Map` and `Number`
//! methods templates use, plus `$input` and `$util`. A method that does not exist for the
//! value gives null (the reference then renders as its source text, as Velocity does); a
//! method that would throw in Java is a [`RenderError`].

use super::{method_error, Renderer};
use crate::ast::Pos;
use crate::error::RenderError;
use crate::value::{Native, Value};

impl Renderer<'_, '_> {
    /// `$value.name`: `Map.get(name)`, else a getter (`getName()`/`isName()`).
    pub(super) fn property(
        &mut self,
        value: &Value,
        name: &str,
        pos: Pos,
    ) -> Result<Value, RenderError> {
        Ok(match value {
            Value::Map(map) => map.borrow().get(name).cloned().unwrap_or(Value::Null),
            Value::Loop(state) => state.property(name),
            Value::Entry(entry) => match name {
                "key" => Value::string(entry.0.as_str()),
                "value" => entry.1.clone(),
                _ => Value::Null,
            },
            Value::String(s) => match name {
                "empty" => Value::Bool(s.is_empty()),
                "bytes" => Value::Null,
                _ => Value::Null,
            },
            Value::List(list) => match name {
                "empty" => Value::Bool(list.borrow().is_empty()),
                _ => Value::Null,
            },
            Value::Native(Native::Input) => match name {
                "body" => Value::string(self.scope.body),
                _ => return self.method(value, &getter(name), &[], pos),
            },
            _ => Value::Null,
        })
    }

    /// `$value.name(args)`.
    pub(super) fn method(
        &mut self,
        value: &Value,
        name: &str,
        args: &[Value],
        pos: Pos,
    ) -> Result<Value, RenderError> {
        let result = match value {
            Value::String(s) => self.string_method(s, name, args),
            Value::List(list) => list_method(list, name, args),
            Value::Map(map) => map_method(map, name, args),
            Value::Entry(entry) => Ok(match (name, args) {
                ("getKey", []) => Value::string(entry.0.as_str()),
                ("getValue", []) => entry.1.clone(),
                ("toString", []) => value.java_string().map_or(Value::Null, Value::string),
                _ => Value::Null,
            }),
            Value::Native(Native::Input) => {
                let root = self.body_root();
                crate::aws::input::call(self.scope, &root, name, args)
            }
            Value::Native(Native::Util) => crate::aws::util::call(name, args),
            Value::Loop(state) => Ok(match (name, args) {
                ("hasNext", []) => state.property("hasNext"),
                ("getIndex", []) => state.property("index"),
                ("getCount", []) => state.property("count"),
                ("isFirst", []) => state.property("first"),
                ("isLast", []) => state.property("last"),
                ("getParent", []) => state.property("parent"),
                _ => Value::Null,
            }),
            v if v.is_number() => Ok(number_method(v, name, args)),
            Value::Bool(b) => Ok(match (name, args) {
                ("toString", []) => Value::string(b.to_string()),
                ("equals", [other]) => Value::Bool(matches!(other, Value::Bool(o) if o == b)),
                ("booleanValue", []) => Value::Bool(*b),
                _ => Value::Null,
            }),
            _ => Ok(Value::Null),
        };
        result.map_err(|message| method_error(pos, message))
    }

    fn regex(&mut self, pattern: &str) -> Result<regex::Regex, String> {
        if let Some(re) = self.regexes.get(pattern) {
            return Ok(re.clone());
        }
        let re = regex::Regex::new(pattern)
            .map_err(|e| format!("invalid regular expression {pattern:?}: {e}"))?;
        if self.regexes.len() < 64 {
            self.regexes.insert(pattern.to_string(), re.clone());
        }
        Ok(re)
    }

    fn string_method(&mut self, s: &str, name: &str, args: &[Value]) -> Result<Value, String> {
        use crate::text::{
            java_replacement, java_split, utf16_find, utf16_len, utf16_rfind, utf16_slice,
        };
        let str_arg = |i: usize| match args.get(i) {
            Some(Value::String(a)) => Some(a.clone()),
            _ => None,
        };
        Ok(match (name, args.len()) {
            ("length", 0) => Value::Int(utf16_len(s) as i32),
            ("isEmpty", 0) => Value::Bool(s.is_empty()),
            ("toString" | "trim" | "toLowerCase" | "toUpperCase", 0) => Value::string(match name {
                "trim" => s.trim_matches(|c: char| c <= ' ').to_string(),
                "toLowerCase" => s.to_lowercase(),
                "toUpperCase" => s.to_uppercase(),
                _ => s.to_string(),
            }),
            ("substring", 1 | 2) => {
                let len = utf16_len(s) as i64;
                let begin = args
                    .first()
                    .and_then(Value::as_int)
                    .ok_or("substring needs int arguments")?;
                let end = match args.get(1) {
                    Some(v) => v.as_int().ok_or("substring needs int arguments")?,
                    None => len as i32,
                };
                if begin < 0 || i64::from(end) > len || begin > end {
                    return Err(format!(
                        "StringIndexOutOfBoundsException: begin {begin}, end {end}, length {len}"
                    ));
                }
                Value::string(utf16_slice(s, begin as usize, end as usize))
            }
            ("charAt", 1) => {
                let i = args
                    .first()
                    .and_then(Value::as_int)
                    .ok_or("charAt needs an int")?;
                let len = utf16_len(s);
                if i < 0 || i as usize >= len {
                    return Err(format!(
                        "StringIndexOutOfBoundsException: index {i}, length {len}"
                    ));
                }
                Value::string(utf16_slice(s, i as usize, i as usize + 1))
            }
            ("indexOf", 1 | 2) => {
                let Some(needle) = str_arg(0) else {
                    return Ok(Value::Null);
                };
                let from = args.get(1).and_then(Value::as_int).unwrap_or(0).max(0) as usize;
                Value::Int(utf16_find(s, &needle, from).map_or(-1, |i| i as i32))
            }
            ("lastIndexOf", 1) => {
                let Some(needle) = str_arg(0) else {
                    return Ok(Value::Null);
                };
                Value::Int(utf16_rfind(s, &needle).map_or(-1, |i| i as i32))
            }
            ("contains" | "startsWith" | "endsWith" | "equalsIgnoreCase" | "concat", 1) => {
                let Some(arg) = str_arg(0) else {
                    return Ok(if name == "equalsIgnoreCase" {
                        Value::Bool(false)
                    } else {
                        Value::Null
                    });
                };
                match name {
                    "contains" => Value::Bool(s.contains(&*arg)),
                    "startsWith" => Value::Bool(s.starts_with(&*arg)),
                    "endsWith" => Value::Bool(s.ends_with(&*arg)),
                    "concat" => Value::string(format!("{s}{arg}")),
                    _ => Value::Bool(
                        s.chars()
                            .flat_map(char::to_lowercase)
                            .eq(arg.chars().flat_map(char::to_lowercase)),
                    ),
                }
            }
            ("equals", 1) => {
                Value::Bool(matches!(args.first(), Some(Value::String(a)) if &**a == s))
            }
            ("replace", 2) => match (str_arg(0), str_arg(1)) {
                (Some(from), Some(to)) => Value::string(s.replace(&*from, &to)),
                _ => Value::Null,
            },
            ("replaceAll" | "replaceFirst", 2) => {
                let (Some(pattern), Some(replacement)) = (str_arg(0), str_arg(1)) else {
                    return Ok(Value::Null);
                };
                let re = self.regex(&pattern)?;
                let replacement = java_replacement(&replacement)?;
                let limit = if name == "replaceAll" { 0 } else { 1 };
                Value::string(re.replacen(s, limit, replacement.as_str()).into_owned())
            }
            ("matches", 1) => {
                let Some(pattern) = str_arg(0) else {
                    return Ok(Value::Null);
                };
                let re = self.regex(&format!("^(?:{pattern})$"))?;
                Value::Bool(re.is_match(s))
            }
            ("split", 1 | 2) => {
                let Some(pattern) = str_arg(0) else {
                    return Ok(Value::Null);
                };
                let limit = args.get(1).and_then(Value::as_int).unwrap_or(0);
                let re = self.regex(&pattern)?;
                Value::list(
                    java_split(s, &re, limit)
                        .into_iter()
                        .map(Value::string)
                        .collect(),
                )
            }
            ("hashCode", 0) => {
                let hash = s
                    .encode_utf16()
                    .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)));
                Value::Int(hash)
            }
            _ => Value::Null,
        })
    }
}

/// `getFoo` for property `foo`.
fn getter(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("get{}{}", first.to_ascii_uppercase(), chars.as_str()),
        None => "get".into(),
    }
}

fn list_method(list: &crate::value::List, name: &str, args: &[Value]) -> Result<Value, String> {
    let index = |list: &Vec<Value>, i: &Value, allow_end: bool| -> Result<usize, String> {
        let len = list.len();
        match i.as_int() {
            Some(i) if i >= 0 && ((i as usize) < len || (allow_end && i as usize == len)) => {
                Ok(i as usize)
            }
            Some(i) => Err(format!(
                "IndexOutOfBoundsException: Index {i} out of bounds for length {len}"
            )),
            None => Err("list index must be an int".into()),
        }
    };
    Ok(match (name, args) {
        ("size", []) => Value::Int(list.borrow().len() as i32),
        ("isEmpty", []) => Value::Bool(list.borrow().is_empty()),
        ("get", [i]) => {
            let list = list.borrow();
            let i = index(&list, i, false)?;
            list.get(i).cloned().unwrap_or(Value::Null)
        }
        ("contains", [x]) => Value::Bool(list.borrow().iter().any(|v| v.java_equals(x))),
        ("indexOf", [x]) => Value::Int(
            list.borrow()
                .iter()
                .position(|v| v.java_equals(x))
                .map_or(-1, |i| i as i32),
        ),
        ("add", [x]) => {
            list.borrow_mut().push(x.clone());
            Value::Bool(true)
        }
        ("add", [i, x]) => {
            let mut list = list.borrow_mut();
            let i = index(&list, i, true)?;
            list.insert(i, x.clone());
            Value::Null
        }
        ("set", [i, x]) => {
            let mut list = list.borrow_mut();
            let i = index(&list, i, false)?;
            list.get_mut(i)
                .map_or(Value::Null, |slot| std::mem::replace(slot, x.clone()))
        }
        ("remove", [i @ Value::Int(_)]) => {
            let mut list = list.borrow_mut();
            let i = index(&list, i, false)?;
            list.remove(i)
        }
        ("addAll", [Value::List(other)]) => {
            let items = other.borrow().clone();
            list.borrow_mut().extend(items);
            Value::Bool(true)
        }
        ("clear", []) => {
            list.borrow_mut().clear();
            Value::Null
        }
        ("toString", []) => Value::List(list.clone())
            .java_string()
            .map_or(Value::Null, Value::string),
        _ => Value::Null,
    })
}

fn map_method(map: &crate::value::Map, name: &str, args: &[Value]) -> Result<Value, String> {
    let key = |v: &Value| v.java_string().unwrap_or_else(|| "null".into());
    Ok(match (name, args) {
        ("get", [k]) => map.borrow().get(&key(k)).cloned().unwrap_or(Value::Null),
        // The key is computed before borrowing: it may be the map itself (`$m.put($m, 1)`).
        ("put", [k, v]) => {
            let k = key(k);
            map.borrow_mut().insert(k, v.clone()).unwrap_or(Value::Null)
        }
        ("remove", [k]) => {
            let k = key(k);
            map.borrow_mut().shift_remove(&k).unwrap_or(Value::Null)
        }
        ("containsKey", [k]) => Value::Bool(map.borrow().contains_key(&key(k))),
        ("containsValue", [v]) => Value::Bool(map.borrow().values().any(|x| x.java_equals(v))),
        ("size", []) => Value::Int(map.borrow().len() as i32),
        ("isEmpty", []) => Value::Bool(map.borrow().is_empty()),
        ("keySet", []) => Value::list(
            map.borrow()
                .keys()
                .map(|k| Value::string(k.as_str()))
                .collect(),
        ),
        ("values", []) => Value::list(map.borrow().values().cloned().collect()),
        ("entrySet", []) => Value::list(
            map.borrow()
                .iter()
                .map(|(k, v)| Value::Entry(std::rc::Rc::new((k.clone(), v.clone()))))
                .collect(),
        ),
        ("putAll", [Value::Map(other)]) => {
            let entries: Vec<_> = other
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            map.borrow_mut().extend(entries);
            Value::Null
        }
        ("toString", []) => Value::Map(map.clone())
            .java_string()
            .map_or(Value::Null, Value::string),
        _ => Value::Null,
    })
}

fn number_method(value: &Value, name: &str, args: &[Value]) -> Value {
    match (name, args) {
        ("toString", []) => value.java_string().map_or(Value::Null, Value::string),
        ("intValue", []) => match value {
            Value::Double(d) => Value::Int(*d as i32),
            other => Value::Int(other.as_integer().unwrap_or(0) as i32),
        },
        ("longValue", []) => match value {
            Value::Double(d) => Value::Long(*d as i64),
            other => Value::Long(other.as_integer().unwrap_or(0) as i64),
        },
        ("doubleValue", []) => value.as_f64().map_or(Value::Null, Value::Double),
        ("equals", [other]) => Value::Bool(value.java_equals(other)),
        _ => Value::Null,
    }
}

/// `$value[index]`: list position or map key.
pub(super) fn index(value: &Value, index: &Value) -> Result<Value, String> {
    match value {
        Value::List(list) => {
            let list = list.borrow();
            let len = list.len() as i64;
            let Some(i) = index.as_integer() else {
                return Ok(Value::Null);
            };
            // Velocity 1.7 counts negative indexes from the end.
            let i = if i < 0 { i128::from(len) + i } else { i };
            usize::try_from(i)
                .ok()
                .and_then(|i| list.get(i).cloned())
                .ok_or_else(|| {
                    format!("IndexOutOfBoundsException: Index {i} out of bounds for length {len}")
                })
        }
        Value::Map(map) => Ok(index
            .java_string()
            .and_then(|k| map.borrow().get(&k).cloned())
            .unwrap_or(Value::Null)),
        _ => Ok(Value::Null),
    }
}
