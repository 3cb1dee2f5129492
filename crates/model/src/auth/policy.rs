//! IAM policy documents as API Gateway reads them: resource policies
//! (`x-amazon-apigateway-policy`) and the `policyDocument` a Lambda authorizer returns.
//!
//! Only what can be decided locally is accepted: `Effect`, `Action`/`NotAction`,
//! `Resource`/`NotResource`, `Principal` (`*` or AWS principals), and the conditions
//! `IpAddress`/`NotIpAddress` on `aws:SourceIp` and `StringEquals`/`StringNotEquals`/
//! `StringLike`/`StringNotLike` on `aws:Referer` and `aws:UserAgent`. Anything else is an error
//! rather than a condition silently taken as true.

use std::net::IpAddr;

use serde_json::{Map, Value};

/// `Effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// A condition operator Turnpike evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionOperator {
    IpAddress,
    NotIpAddress,
    StringEquals,
    StringNotEquals,
    StringLike,
    StringNotLike,
}

impl ConditionOperator {
    const ALL: [(&'static str, ConditionOperator); 6] = [
        ("IpAddress", ConditionOperator::IpAddress),
        ("NotIpAddress", ConditionOperator::NotIpAddress),
        ("StringEquals", ConditionOperator::StringEquals),
        ("StringNotEquals", ConditionOperator::StringNotEquals),
        ("StringLike", ConditionOperator::StringLike),
        ("StringNotLike", ConditionOperator::StringNotLike),
    ];

    fn is_ip(self) -> bool {
        matches!(
            self,
            ConditionOperator::IpAddress | ConditionOperator::NotIpAddress
        )
    }
}

/// A condition key Turnpike can know for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConditionKey {
    /// `aws:SourceIp`: the client's address.
    SourceIp,
    /// `aws:Referer`: the `Referer` header.
    Referer,
    /// `aws:UserAgent`: the `User-Agent` header.
    UserAgent,
}

/// One `Condition` entry: `{operator: {key: values}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyCondition {
    pub operator: ConditionOperator,
    pub key: ConditionKey,
    /// Any of them satisfies the condition (for the `Not` operators: none of them may match).
    /// CIDRs for the IP operators (checked when parsed), strings otherwise.
    pub values: Vec<String>,
}

/// One `Statement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyStatement {
    pub effect: Effect,
    /// `Action` patterns (`execute-api:Invoke`, `execute-api:*`, `*`), or `NotAction`'s when
    /// `not_action`.
    pub actions: Vec<String>,
    pub not_action: bool,
    /// `Resource` ARN patterns with `*` and `?`, or `NotResource`'s when `not_resource`.
    pub resources: Vec<String>,
    pub not_resource: bool,
    /// `Principal`: `None` when absent (authorizer policies), otherwise its values (`*` for
    /// anyone, or AWS principal ARNs / account ids).
    pub principals: Option<Vec<String>>,
    /// All must hold.
    pub conditions: Vec<PolicyCondition>,
}

/// A policy document.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyDocument {
    pub statements: Vec<PolicyStatement>,
}

/// Why a policy document is not usable: the JSON pointer of the offending member (relative to
/// the document) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    pub pointer: String,
    pub message: String,
}

fn error<T>(pointer: impl Into<String>, message: impl Into<String>) -> Result<T, PolicyError> {
    Err(PolicyError {
        pointer: pointer.into(),
        message: message.into(),
    })
}

impl PolicyDocument {
    /// Reads a policy document from its JSON.
    ///
    /// ```
    /// use turnpike_model::{Effect, PolicyDocument};
    ///
    /// let doc = PolicyDocument::from_json(&serde_json::json!({
    ///     "Version": "2012-10-17",
    ///     "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": ["arn:aws:execute-api:*"]}]
    /// })).unwrap();
    /// assert_eq!(doc.statements[0].effect, Effect::Allow);
    /// ```
    pub fn from_json(value: &Value) -> Result<PolicyDocument, PolicyError> {
        let Some(doc) = value.as_object() else {
            return error("", "a policy document must be a mapping with Statement");
        };
        for key in doc.keys() {
            if !matches!(key.as_str(), "Version" | "Statement" | "Id") {
                return error(
                    format!("/{key}"),
                    format!("unknown policy member \"{key}\"; expected Version, Id, Statement"),
                );
            }
        }
        let statements = match doc.get("Statement") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, s)| statement(s, &format!("/Statement/{i}")))
                .collect::<Result<Vec<_>, _>>()?,
            Some(single @ Value::Object(_)) => vec![statement(single, "/Statement")?],
            _ => {
                return error(
                    "/Statement",
                    "Statement must be a statement or a list of them",
                )
            }
        };
        Ok(PolicyDocument { statements })
    }
}

fn statement(value: &Value, at: &str) -> Result<PolicyStatement, PolicyError> {
    let Some(map) = value.as_object() else {
        return error(at, "each statement must be a mapping");
    };
    for key in map.keys() {
        let known = [
            "Sid",
            "Effect",
            "Action",
            "NotAction",
            "Resource",
            "NotResource",
            "Principal",
            "Condition",
        ];
        if !known.contains(&key.as_str()) {
            return error(
                format!("{at}/{key}"),
                format!(
                    "\"{key}\" is not supported in statements by Turnpike; expected one of {}",
                    known.join(", ")
                ),
            );
        }
    }
    let effect = match map.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        _ => {
            return error(
                format!("{at}/Effect"),
                "Effect must be \"Allow\" or \"Deny\"",
            )
        }
    };
    let (actions, not_action) = either(map, at, "Action", "NotAction")?;
    let (resources, not_resource) = either(map, at, "Resource", "NotResource")?;
    let principals = map
        .get("Principal")
        .map(|p| principal(p, &format!("{at}/Principal")))
        .transpose()?;
    let conditions = match map.get("Condition") {
        Some(c) => conditions(c, &format!("{at}/Condition"))?,
        None => Vec::new(),
    };
    Ok(PolicyStatement {
        effect,
        actions,
        not_action,
        resources,
        not_resource,
        principals,
        conditions,
    })
}

/// `Action` or `NotAction` (exactly one), as a list.
fn either(
    map: &Map<String, Value>,
    at: &str,
    key: &str,
    not_key: &str,
) -> Result<(Vec<String>, bool), PolicyError> {
    match (map.get(key), map.get(not_key)) {
        (Some(v), None) => Ok((strings(v, &format!("{at}/{key}"))?, false)),
        (None, Some(v)) => Ok((strings(v, &format!("{at}/{not_key}"))?, true)),
        (Some(_), Some(_)) => error(
            format!("{at}/{not_key}"),
            format!("a statement has {key} or {not_key}, not both"),
        ),
        (None, None) => error(at, format!("a statement needs {key} (or {not_key})")),
    }
}

/// A string or a non-empty list of strings.
fn strings(value: &Value, at: &str) -> Result<Vec<String>, PolicyError> {
    let list = match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    if list.is_empty() {
        return error(at, "expected a string or a list of strings");
    }
    Ok(list)
}

fn principal(value: &Value, at: &str) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(s) if s == "*" => Ok(vec!["*".into()]),
        Value::Object(map) => {
            let mut out = Vec::new();
            for (kind, values) in map {
                if kind != "AWS" {
                    return error(
                        format!("{at}/{kind}"),
                        format!("Principal {kind} is not supported by Turnpike; use \"*\" or AWS"),
                    );
                }
                out.extend(strings(values, &format!("{at}/{kind}"))?);
            }
            Ok(out)
        }
        _ => error(at, "Principal must be \"*\" or {AWS: ...}"),
    }
}

fn conditions(value: &Value, at: &str) -> Result<Vec<PolicyCondition>, PolicyError> {
    let Some(map) = value.as_object() else {
        return error(at, "Condition must be a mapping of operators");
    };
    let mut out = Vec::new();
    for (name, keys) in map {
        let here = format!("{at}/{name}");
        let Some(&(_, operator)) = ConditionOperator::ALL.iter().find(|(n, _)| n == name) else {
            let names: Vec<&str> = ConditionOperator::ALL.iter().map(|(n, _)| *n).collect();
            return error(
                here,
                format!(
                    "condition operator {name} is not supported by Turnpike; expected one of {}",
                    names.join(", ")
                ),
            );
        };
        let Some(keys) = keys.as_object() else {
            return error(
                here,
                "a condition operator takes a mapping of keys to values",
            );
        };
        for (key_name, values) in keys {
            let key_at = format!("{here}/{key_name}");
            // Condition keys are case-insensitive in IAM.
            let key = match key_name.to_ascii_lowercase().as_str() {
                "aws:sourceip" => ConditionKey::SourceIp,
                "aws:referer" => ConditionKey::Referer,
                "aws:useragent" => ConditionKey::UserAgent,
                _ => {
                    return error(
                        key_at,
                        format!("condition key {key_name} is not supported by Turnpike; expected aws:SourceIp, aws:Referer or aws:UserAgent"),
                    )
                }
            };
            if operator.is_ip() != (key == ConditionKey::SourceIp) {
                return error(
                    key_at,
                    format!("{name} does not apply to {key_name}: IpAddress and NotIpAddress take aws:SourceIp, the String operators take aws:Referer or aws:UserAgent"),
                );
            }
            let values = strings(values, &key_at)?;
            if operator.is_ip() {
                if let Some(bad) = values.iter().find(|v| Cidr::parse(v).is_none()) {
                    return error(
                        key_at,
                        format!("\"{bad}\" is not an IP address or CIDR block"),
                    );
                }
            }
            out.push(PolicyCondition {
                operator,
                key,
                values,
            });
        }
    }
    Ok(out)
}

/// An IPv4 or IPv6 address block (`192.0.2.0/24`, `2001:db8::/32`, or one address).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `address[/prefix]`.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (text.trim(), None),
        };
        let network: IpAddr = address.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        (prefix <= max).then_some(Cidr { network, prefix })
    }

    /// Whether `ip` lies in the block (an IPv4-mapped IPv6 address counts as its IPv4 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}
