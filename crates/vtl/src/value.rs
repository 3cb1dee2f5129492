//! The values a template computes with: Java's types as Velocity sees them.

use indexmap::IndexMap;
use std::cell::RefCell;
use std::rc::Rc;

use crate::ast::Block;

/// A shared, mutable list (`java.util.ArrayList`): `$l.add(x)` is seen through every alias.
pub(crate) type List = Rc<RefCell<Vec<Value>>>;
/// A shared, mutable, insertion-ordered map (`java.util.LinkedHashMap`).
pub(crate) type Map = Rc<RefCell<Entries>>;
/// A map's entries. foldhash rather than SipHash: map lookups are most of a render's work, and
/// its per-map random seeds still keep keys from a request body from being chosen to collide.
pub(crate) type Entries = IndexMap<String, Value, foldhash::fast::RandomState>;

/// One value: Java's null, Boolean, Integer, Long, BigInteger, Double, String, List and Map,
/// plus API Gateway's built-in objects.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    /// Java `null`; a reference to it renders as its own source text.
    Null,
    /// `java.lang.Boolean`.
    Bool(bool),
    /// `java.lang.Integer`: literals and arithmetic results that fit 32 bits.
    Int(i32),
    /// `java.lang.Long`: integer results that overflow `Integer`.
    Long(i64),
    /// `java.math.BigInteger` as far as 128 bits reach (Velocity promotes `Long` overflow to it).
    BigInt(i128),
    /// `java.lang.Double`.
    Double(f64),
    /// `java.lang.String`.
    String(Rc<str>),
    /// `java.util.List`.
    List(List),
    /// `java.util.Map`.
    Map(Map),
    /// A `#define` block: rendering it renders the block in the current context.
    Block(Block),
    /// A `Map.Entry` from `entrySet()`: `$e.key`, `$e.value`, prints as `key=value`.
    Entry(Rc<(String, Value)>),
    /// `$input` and `$util`.
    Native(Native),
    /// `$foreach` inside a loop.
    Loop(Rc<LoopState>),
}

/// Where a `#foreach` is: `$foreach.index`, `.count`, `.hasNext`, `.first`, `.last`, `.parent`.
#[derive(Debug)]
pub(crate) struct LoopState {
    pub index: usize,
    pub len: usize,
    pub parent: Option<Value>,
}

impl LoopState {
    /// `$foreach.name`.
    pub(crate) fn property(&self, name: &str) -> Value {
        match name {
            "index" => Value::integer(self.index as i128),
            "count" => Value::integer(self.index as i128 + 1),
            "hasNext" => Value::Bool(self.index + 1 < self.len),
            "first" => Value::Bool(self.index == 0),
            "last" => Value::Bool(self.index + 1 == self.len),
            "parent" => self.parent.clone().unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }
}

/// API Gateway's objects that are not plain data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Native {
    /// `$input`.
    Input,
    /// `$util`.
    Util,
}

impl Value {
    /// A string value.
    pub(crate) fn string(s: impl Into<Rc<str>>) -> Value {
        Value::String(s.into())
    }

    /// A list value.
    pub(crate) fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(RefCell::new(items)))
    }

    /// A map value.
    pub(crate) fn map(entries: Entries) -> Value {
        Value::Map(Rc::new(RefCell::new(entries)))
    }

    /// An integer literal or result: `Integer` when it fits, else `Long`, else `BigInteger`.
    pub(crate) fn integer(n: i128) -> Value {
        if let Ok(i) = i32::try_from(n) {
            Value::Int(i)
        } else if let Ok(l) = i64::try_from(n) {
            Value::Long(l)
        } else {
            Value::BigInt(n)
        }
    }

    /// Whether this is Java null.
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value of an integral number.
    pub(crate) fn as_integer(&self) -> Option<i128> {
        match self {
            Value::Int(i) => Some(i128::from(*i)),
            Value::Long(l) => Some(i128::from(*l)),
            Value::BigInt(b) => Some(*b),
            _ => None,
        }
    }

    /// A Java `int` argument (`substring(1)`, `get(0)`).
    pub(crate) fn as_int(&self) -> Option<i32> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// Whether this is a `java.lang.Number`.
    pub(crate) fn is_number(&self) -> bool {
        matches!(
            self,
            Value::Int(_) | Value::Long(_) | Value::BigInt(_) | Value::Double(_)
        )
    }

    /// The number as a double (`Number.doubleValue()`).
    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Double(d) => Some(*d),
            other => other.as_integer().map(|i| i as f64),
        }
    }

    /// Converts parsed JSON: objects become maps, arrays lists, numbers Integer/Long/Double.
    pub(crate) fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Value::integer(i128::from(i))
                } else if let Some(u) = n.as_u64() {
                    Value::integer(i128::from(u))
                } else {
                    Value::Double(n.as_f64().unwrap_or(f64::NAN))
                }
            }
            serde_json::Value::String(s) => Value::string(s.as_str()),
            serde_json::Value::Array(items) => {
                Value::list(items.iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(entries) => Value::map(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Java's `toString()`; `None` for null and for blocks (which only render).
    pub(crate) fn java_string(&self) -> Option<String> {
        let mut out = String::new();
        self.write_java(&mut out, 0)?;
        Some(out)
    }

    fn write_java(&self, out: &mut String, depth: usize) -> Option<()> {
        // A list that contains itself would recurse forever; Java overflows its stack there.
        if depth > 64 {
            out.push_str("...");
            return Some(());
        }
        match self {
            Value::Null => return None,
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Long(l) => out.push_str(&l.to_string()),
            Value::BigInt(b) => out.push_str(&b.to_string()),
            Value::Double(d) => out.push_str(&java_double(*d)),
            Value::String(s) => out.push_str(s),
            Value::List(l) => {
                out.push('[');
                for (i, item) in l.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if item.write_java(out, depth + 1).is_none() {
                        out.push_str("null");
                    }
                }
                out.push(']');
            }
            Value::Map(m) => {
                out.push('{');
                for (i, (k, v)) in m.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(k);
                    out.push('=');
                    if v.write_java(out, depth + 1).is_none() {
                        out.push_str("null");
                    }
                }
                out.push('}');
            }
            Value::Entry(e) => {
                out.push_str(&e.0);
                out.push('=');
                if e.1.write_java(out, depth + 1).is_none() {
                    out.push_str("null");
                }
            }
            Value::Block(_) => return None,
            Value::Loop(_) => out.push_str("ForeachScope"),
            Value::Native(Native::Input) => out.push_str("$input"),
            Value::Native(Native::Util) => out.push_str("$util"),
        }
        Some(())
    }

    /// Java's `equals` as Velocity's `==` applies it (numbers by value, else same type and
    /// content, else by `toString()`).
    pub(crate) fn velocity_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Null, _) | (_, Value::Null) => false,
            (a, b) if a.is_number() && b.is_number() => {
                compare_numbers(a, b) == Some(std::cmp::Ordering::Equal)
            }
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) => {
                let (a, b) = (a.borrow(), b.borrow());
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.java_equals(y))
            }
            (Value::Map(a), Value::Map(b)) => {
                let (a, b) = (a.borrow(), b.borrow());
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k).is_some_and(|w| v.java_equals(w)))
            }
            (a, b) => match (a.java_string(), b.java_string()) {
                (Some(x), Some(y)) => x == y,
                _ => false,
            },
        }
    }

    /// Strict Java `equals` (no cross-type comparison): `Integer(1).equals(Long(1))` is false.
    pub(crate) fn java_equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Long(a), Value::Long(b)) => a == b,
            (Value::BigInt(a), Value::BigInt(b)) => a == b,
            (Value::Double(a), Value::Double(b)) => a.to_bits() == b.to_bits() || a == b,
            (a, b) if a.is_number() || b.is_number() => false,
            (Value::String(_), Value::String(_))
            | (Value::Bool(_), Value::Bool(_))
            | (Value::List(_), Value::List(_))
            | (Value::Map(_), Value::Map(_))
            | (Value::Null, Value::Null) => self.velocity_eq(other),
            _ => false,
        }
    }
}

/// Orders two numbers the way Velocity's `MathUtils.compare` does.
pub(crate) fn compare_numbers(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a.as_integer(), b.as_integer()) {
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => a.as_f64()?.partial_cmp(&b.as_f64()?),
    }
}

/// `Double.toString(d)`: plain notation in [10^-3, 10^7), else `d.dddE±n`, always with a
/// fractional digit.
pub(crate) fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".into();
    }
    if d.is_infinite() {
        return if d > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, as Java's algorithm aims to.
    let sci = format!("{:e}", d.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if d < 0.0 { "-" } else { "" };
    let abs = d.abs();
    if (1e-3..1e7).contains(&abs) {
        let point = exponent + 1; // digits before the decimal point
        let mut out = String::from(sign);
        if point <= 0 {
            out.push_str("0.");
            out.push_str(&"0".repeat(point.unsigned_abs() as usize));
            out.push_str(&digits);
        } else {
            let point = point as usize;
            if digits.len() <= point {
                out.push_str(&digits);
                out.push_str(&"0".repeat(point - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(digits.get(..point).unwrap_or(""));
                out.push('.');
                out.push_str(digits.get(point..).unwrap_or(""));
            }
        }
        out
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exponent}")
    }
}
