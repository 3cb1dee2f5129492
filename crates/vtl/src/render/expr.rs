//! Expression evaluation with Velocity 1.7's rules: `MathUtils` arithmetic (Integer widens to
//! Long and BigInteger instead of overflowing; division by zero is null), `==` by number value
//! or `toString()`, and `#if` truth that only references, booleans and comparisons can have.

use super::Renderer;
use crate::ast::{BinOp, Expr};
use crate::error::RenderError;
use crate::value::{compare_numbers, Entries, Value};

/// Longest list a range literal may build.
const MAX_RANGE: i128 = 100_000;

impl Renderer<'_, '_> {
    /// The value of an expression.
    pub(super) fn value(&mut self, expr: &Expr) -> Result<Value, RenderError> {
        self.step()?;
        Ok(match expr {
            Expr::Ref(reference) => self.eval_ref(reference)?,
            Expr::Str(s) => Value::string(s.as_str()),
            Expr::Interpolated(body) => {
                let outer = std::mem::take(&mut self.out);
                let result = self.block(body);
                let text = std::mem::replace(&mut self.out, outer);
                result?;
                Value::string(text)
            }
            Expr::Int(i) => Value::integer(i128::from(*i)),
            Expr::Float(f) => Value::Double(*f),
            Expr::Bool(b) => Value::Bool(*b),
            Expr::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.value(item)?);
                }
                Value::list(values)
            }
            Expr::Map(entries) => {
                let mut map = Entries::with_capacity_and_hasher(entries.len(), Default::default());
                for (key, value) in entries {
                    let key = self
                        .value(key)?
                        .java_string()
                        .unwrap_or_else(|| "null".into());
                    let value = self.value(value)?;
                    map.insert(key, value);
                }
                Value::map(map)
            }
            Expr::Range(first, last) => {
                let (first, last) = (self.value(first)?, self.value(last)?);
                let (Some(a), Some(b)) = (range_bound(&first), range_bound(&last)) else {
                    return Ok(Value::Null);
                };
                if (a - b).abs() >= MAX_RANGE {
                    return Err(RenderError::RangeTooLarge(a as i64, b as i64));
                }
                let items: Vec<Value> = if a <= b {
                    (a..=b).map(Value::integer).collect()
                } else {
                    (b..=a).rev().map(Value::integer).collect()
                };
                Value::list(items)
            }
            Expr::Not(inner) => Value::Bool(!self.truthy(inner)?),
            Expr::Group(inner) => self.value(inner)?,
            Expr::Binary(op, left, right) => match op {
                BinOp::Or
                | BinOp::And
                | BinOp::Eq
                | BinOp::Ne
                | BinOp::Lt
                | BinOp::Le
                | BinOp::Gt
                | BinOp::Ge => Value::Bool(self.truthy(expr)?),
                _ => {
                    let (lv, rv) = (self.value(left)?, self.value(right)?);
                    // Velocity concatenates a null reference as its source text: `"a" + $x` is `a$x`.
                    if *op == BinOp::Add {
                        match (&lv, &rv) {
                            (Value::String(s), Value::Null) => {
                                return Ok(Value::string(format!("{s}{}", null_text(right))))
                            }
                            (Value::Null, Value::String(s)) => {
                                return Ok(Value::string(format!("{}{s}", null_text(left))))
                            }
                            _ => {}
                        }
                    }
                    arithmetic(*op, &lv, &rv)
                }
            },
        })
    }

    /// Whether an expression holds in `#if`: references are true unless null or false;
    /// literals and arithmetic are never true (Velocity's `SimpleNode.evaluate`).
    pub(super) fn truthy(&mut self, expr: &Expr) -> Result<bool, RenderError> {
        self.step()?;
        Ok(match expr {
            Expr::Ref(reference) => match self.eval_ref(reference)? {
                Value::Null => false,
                Value::Bool(b) => b,
                _ => true,
            },
            Expr::Bool(b) => *b,
            Expr::Group(inner) => self.truthy(inner)?,
            Expr::Not(inner) => !self.truthy(inner)?,
            Expr::Binary(BinOp::Or, left, right) => self.truthy(left)? || self.truthy(right)?,
            Expr::Binary(BinOp::And, left, right) => self.truthy(left)? && self.truthy(right)?,
            Expr::Binary(op @ (BinOp::Eq | BinOp::Ne), left, right) => {
                let (left, right) = (self.value(left)?, self.value(right)?);
                let equal = left.velocity_eq(&right);
                if *op == BinOp::Eq {
                    equal
                } else {
                    !equal
                }
            }
            Expr::Binary(op @ (BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge), left, right) => {
                let (left, right) = (self.value(left)?, self.value(right)?);
                if !(left.is_number() && right.is_number()) {
                    return Ok(false);
                }
                let Some(order) = compare_numbers(&left, &right) else {
                    return Ok(false);
                };
                match op {
                    BinOp::Lt => order.is_lt(),
                    BinOp::Le => order.is_le(),
                    BinOp::Gt => order.is_gt(),
                    _ => order.is_ge(),
                }
            }
            _ => false,
        })
    }
}

/// How a null operand reads in a string concatenation: a reference's own text (even `$!x`),
/// else nothing.
fn null_text(expr: &Expr) -> &str {
    match expr {
        Expr::Ref(reference) => &reference.raw,
        _ => "",
    }
}

fn range_bound(value: &Value) -> Option<i128> {
    match value {
        Value::Int(i) => Some(i128::from(*i)),
        Value::Long(l) => Some(i128::from(*l)),
        Value::String(s) => s.trim().parse::<i32>().ok().map(i128::from),
        _ => None,
    }
}

/// Width of an integral type: Integer < Long < BigInteger.
fn rank(value: &Value) -> u8 {
    match value {
        Value::Int(_) => 0,
        Value::Long(_) => 1,
        _ => 2,
    }
}

/// The result of `MathUtils`: the wider operand's type, widened further if the value needs it.
fn widen(n: i128, rank: u8) -> Value {
    match rank {
        0 => Value::integer(n),
        1 => match i64::try_from(n) {
            Ok(l) => Value::Long(l),
            Err(_) => Value::BigInt(n),
        },
        _ => Value::BigInt(n),
    }
}

/// `+ - * / %`. Null when an operand is null or not a number (except `+` with a string, which
/// concatenates) and on division by zero.
pub(crate) fn arithmetic(op: BinOp, left: &Value, right: &Value) -> Value {
    if op == BinOp::Add && (matches!(left, Value::String(_)) || matches!(right, Value::String(_))) {
        return match (left.java_string(), right.java_string()) {
            (Some(a), Some(b)) => Value::string(a + &b),
            _ => Value::Null,
        };
    }
    if !(left.is_number() && right.is_number()) {
        return Value::Null;
    }
    if let (Some(a), Some(b)) = (left.as_integer(), right.as_integer()) {
        let result = match op {
            BinOp::Add => a.checked_add(b),
            BinOp::Sub => a.checked_sub(b),
            BinOp::Mul => a.checked_mul(b),
            BinOp::Div => a.checked_div(b),
            BinOp::Mod => a.checked_rem(b),
            _ => None,
        };
        return result.map_or(Value::Null, |n| widen(n, rank(left).max(rank(right))));
    }
    let (Some(a), Some(b)) = (left.as_f64(), right.as_f64()) else {
        return Value::Null;
    };
    match op {
        BinOp::Add => Value::Double(a + b),
        BinOp::Sub => Value::Double(a - b),
        BinOp::Mul => Value::Double(a * b),
        BinOp::Div if b == 0.0 => Value::Null,
        BinOp::Div => Value::Double(a / b),
        BinOp::Mod if b == 0.0 => Value::Null,
        BinOp::Mod => Value::Double(a % b),
        _ => Value::Null,
    }
}
