//! What a Lambda authorizer answers ("Output from an API Gateway Lambda authorizer"; HTTP APIs'
//! simple responses): `{principalId, policyDocument, context, usageIdentifierKey}` or, with
//! `enableSimpleResponses`, `{isAuthorized, context}`. Anything else is a malformed answer, which
//! API Gateway treats as an authorizer configuration error (500).

use serde_json::{Map, Value};
use turnpike_model::PolicyDocument;

/// A well-formed answer, as cached.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Answer {
    Policy {
        principal_id: Option<String>,
        policy: PolicyDocument,
        context: Map<String, Value>,
        usage_identifier_key: Option<String>,
    },
    Simple {
        authorized: bool,
        context: Map<String, Value>,
    },
}

impl Answer {
    /// `context`, whichever the form.
    pub(crate) fn context(&self) -> &Map<String, Value> {
        match self {
            Answer::Policy { context, .. } | Answer::Simple { context, .. } => context,
        }
    }
}

/// Reads the function's result. `simple`: the authorizer has `enableSimpleResponses`;
/// `principal_required`: REST APIs refuse a policy answer without `principalId`.
pub(crate) fn parse(
    result: &[u8],
    simple: bool,
    principal_required: bool,
) -> Result<Answer, String> {
    let value: Value =
        serde_json::from_slice(result).map_err(|e| format!("the answer is not JSON: {e}"))?;
    let Some(map) = value.as_object() else {
        return Err("the answer is not a JSON object".into());
    };
    if simple {
        let authorized = map
            .get("isAuthorized")
            .and_then(Value::as_bool)
            .ok_or("a simple answer needs isAuthorized: true or false")?;
        let context = match map.get("context") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(c)) => c.clone(),
            Some(_) => return Err("context must be an object".into()),
        };
        return Ok(Answer::Simple {
            authorized,
            context,
        });
    }
    let principal_id = match map.get("principalId") {
        Some(Value::String(s)) => Some(s.clone()),
        None | Some(Value::Null) if !principal_required => None,
        _ => return Err("principalId must be a string".into()),
    };
    let policy = map
        .get("policyDocument")
        .ok_or("the answer has no policyDocument")
        .and_then(|doc| PolicyDocument::from_json(doc).map_err(|_| "policyDocument is invalid"))
        .map_err(str::to_owned)?;
    let context = match map.get("context") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(c)) => {
            // API Gateway passes on strings, numbers and booleans only; an object or array
            // value makes the whole answer invalid.
            if c.values().any(|v| v.is_object() || v.is_array()) {
                return Err("context values must be strings, numbers or booleans".into());
            }
            c.clone()
        }
        Some(_) => return Err("context must be an object".into()),
    };
    let usage_identifier_key = match map.get("usageIdentifierKey") {
        Some(Value::String(s)) => Some(s.clone()),
        None | Some(Value::Null) => None,
        Some(_) => return Err("usageIdentifierKey must be a string".into()),
    };
    Ok(Answer::Policy {
        principal_id,
        policy,
        context,
        usage_identifier_key,
    })
}
