//! `AWS::ApiGateway::Method`, `AWS::ApiGateway::Authorizer` and `AWS::ApiGateway::GatewayResponse`
//! written into the API's Swagger document as AWS exports them: a method is an operation with its
//! `x-amazon-apigateway-integration`, `security`, `parameters` and `responses`; an authorizer a
//! security scheme with `x-amazon-apigateway-authorizer`; a gateway response an entry of
//! `x-amazon-apigateway-gateway-responses`. Property names are checked here, in CloudFormation's
//! terms; values are checked by the OpenAPI loader.

use std::collections::BTreeMap;

use super::{Building, Read, AUTHORIZER, METHOD};
use crate::load::context::{one_of, At};
use crate::load::sam::resolved::{map, RNode, RVal};
use crate::load::sam::stack::Stack;

pub(super) const PROPERTIES: &[&str] = &[
    "ApiKeyRequired",
    "AuthorizationScopes",
    "AuthorizationType",
    "AuthorizerId",
    "HttpMethod",
    "Integration",
    "MethodResponses",
    "OperationName",
    "RequestModels",
    "RequestParameters",
    "RequestValidatorId",
    "ResourceId",
    "RestApiId",
];

pub(super) const AUTHORIZER_PROPERTIES: &[&str] = &[
    "AuthType",
    "AuthorizerCredentials",
    "AuthorizerResultTtlInSeconds",
    "AuthorizerUri",
    "IdentitySource",
    "IdentityValidationExpression",
    "Name",
    "ProviderARNs",
    "RestApiId",
    "Type",
];

pub(super) const GATEWAY_RESPONSE_PROPERTIES: &[&str] = &[
    "ResponseParameters",
    "ResponseTemplates",
    "ResponseType",
    "RestApiId",
    "StatusCode",
];

/// `Integration` property → `x-amazon-apigateway-integration` member.
const INTEGRATION: &[(&str, &str)] = &[
    ("CacheKeyParameters", "cacheKeyParameters"),
    ("CacheNamespace", "cacheNamespace"),
    ("ConnectionId", "connectionId"),
    ("ConnectionType", "connectionType"),
    ("ContentHandling", "contentHandling"),
    ("Credentials", "credentials"),
    ("IntegrationHttpMethod", "httpMethod"),
    ("IntegrationResponses", "responses"),
    ("PassthroughBehavior", "passthroughBehavior"),
    ("RequestParameters", "requestParameters"),
    ("RequestTemplates", "requestTemplates"),
    ("TimeoutInMillis", "timeoutInMillis"),
    ("Type", "type"),
    ("Uri", "uri"),
];

const INTEGRATION_RESPONSE: &[(&str, &str)] = &[
    ("ContentHandling", "contentHandling"),
    ("ResponseParameters", "responseParameters"),
    ("ResponseTemplates", "responseTemplates"),
    ("SelectionPattern", ""),
    ("StatusCode", "statusCode"),
];

const AUTHORIZER_MEMBERS: &[(&str, &str)] = &[
    ("AuthorizerCredentials", "authorizerCredentials"),
    (
        "AuthorizerResultTtlInSeconds",
        "authorizerResultTtlInSeconds",
    ),
    ("AuthorizerUri", "authorizerUri"),
    ("IdentitySource", "identitySource"),
    (
        "IdentityValidationExpression",
        "identityValidationExpression",
    ),
    ("ProviderARNs", "providerARNs"),
    ("Type", "type"),
];

const METHOD_RESPONSE: &[&str] = &["ResponseModels", "ResponseParameters", "StatusCode"];

const VERBS: &[&str] = &[
    "ANY", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT",
];

const AUTHORIZATION_TYPES: &[&str] = &["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"];

/// Security scheme names for IAM and API keys: a CloudFormation logical id (an authorizer's
/// scheme name) has no underscore, so these cannot collide with one.
const IAM_SCHEME: &str = "aws_iam";
const API_KEY_SCHEME: &str = "api_key";

/// What a method may name besides its own API.
pub(super) struct Known<'a> {
    pub authorizers: &'a BTreeMap<&'a str, &'a Read>,
    /// API id → its index among the APIs built (`None` for one already reported).
    pub api_ids: &'a BTreeMap<String, Option<usize>>,
    /// API id → the RestApi's logical id, for messages.
    pub names: &'a BTreeMap<String, String>,
}

/// A copy of mapping `node` whose members `names` are renamed (CloudFormation → OpenAPI); other
/// members are left out (they were reported, or are handled by the caller).
fn renamed(node: &RNode, names: &[(&str, &str)]) -> RNode {
    let entries = node
        .entries()
        .iter()
        .filter_map(|(key, value)| {
            let (_, to) = names.iter().find(|(from, _)| from == key)?;
            (!to.is_empty()).then(|| ((*to).to_owned(), value.clone()))
        })
        .collect();
    RNode {
        ptr: node.ptr.clone(),
        val: RVal::Map(entries),
    }
}

/// Where the document keeps its security schemes: Swagger 2's `securityDefinitions`, or
/// OpenAPI 3's `components.securitySchemes` (a `Body` may be either).
fn schemes_of(doc: &mut RNode) -> Option<&mut RNode> {
    let ptr = doc.ptr.clone();
    if doc.get("openapi").is_some() {
        doc.member("components", &ptr)?
            .member("securitySchemes", &ptr)
    } else {
        doc.member("securityDefinitions", &ptr)
    }
}

/// The CloudFormation names of a table, for `check_keys`.
fn keys<'a>(names: &[(&'a str, &str)]) -> Vec<&'a str> {
    names.iter().map(|(k, _)| *k).collect()
}

/// Adds the method `r` at `path` to the API's document.
pub(super) fn add(
    stack: &mut Stack<'_>,
    r: &Read,
    path: &str,
    api: &mut Building,
    known: &Known<'_>,
) {
    let props = &r.props;
    let Some(verb_node) = props.get("HttpMethod") else {
        let message = format!(
            "{} needs HttpMethod; expected one of {}",
            r.name(),
            one_of(VERBS)
        );
        stack.error(&props.ptr, At::Key, message);
        return;
    };
    let Some(verb) = stack.text(verb_node, "HttpMethod") else {
        return;
    };
    let upper = verb.to_ascii_uppercase();
    // API Gateway takes the verb in capitals only (architect/architect#23).
    if upper != verb && VERBS.contains(&upper.as_str()) {
        let message = format!(
            "HttpMethod \"{verb}\" must be written in capitals, as API Gateway requires: {upper}"
        );
        stack.error(&verb_node.ptr, At::Value, message);
        return;
    }
    if !VERBS.contains(&verb.as_str()) {
        let message = format!(
            "unknown HttpMethod \"{verb}\"; expected one of {}",
            one_of(VERBS)
        );
        stack.error(&verb_node.ptr, At::Value, message);
        return;
    }
    let operation_key = if verb == "ANY" {
        "x-amazon-apigateway-any-method".to_owned()
    } else {
        verb.to_ascii_lowercase()
    };
    let in_body = api
        .doc
        .get("paths")
        .and_then(|p| p.get(path))
        .and_then(|item| item.get(&operation_key))
        .is_some();
    if in_body || !api.methods.insert((path.to_owned(), verb.clone())) {
        let message = format!("{} {} is declared twice: another {METHOD} (or the Body) already has it; each path and HTTP method may have one method", verb, path);
        stack.error(&verb_node.ptr, At::Value, message);
        return;
    }
    let Some(integration) = integration(stack, r) else {
        return;
    };
    let mut operation = vec![("x-amazon-apigateway-integration".to_owned(), integration)];
    if let Some(name) = props.get("OperationName") {
        operation.push(("operationId".to_owned(), name.clone()));
    }
    for key in ["RequestValidatorId", "RequestModels"] {
        if let Some(node) = props.get(key) {
            let message = format!("{key} is not applied by Turnpike yet (AWS::ApiGateway::RequestValidator and AWS::ApiGateway::Model are not read); requests are not validated");
            stack.warn(&node.ptr, message);
        }
    }
    if let Some(parameters) = props.get("RequestParameters") {
        let Some(parameters) = request_parameters(stack, parameters) else {
            return;
        };
        operation.push(("parameters".to_owned(), parameters));
    }
    operation.push(("responses".to_owned(), method_responses(stack, r)));
    let Some((security, schemes)) = security(stack, r, api, known) else {
        return;
    };
    if let Some(security) = security {
        operation.push(("security".to_owned(), security));
    }
    let doc_ptr = api.doc.ptr.clone();
    if !schemes.is_empty() {
        if let Some(definitions) = schemes_of(&mut api.doc) {
            for (name, scheme) in schemes {
                if definitions.get(&name).is_none() {
                    if let RVal::Map(entries) = &mut definitions.val {
                        entries.push((name, scheme));
                    }
                }
            }
        }
    }
    let Some(paths) = api.doc.member("paths", &doc_ptr) else {
        return;
    };
    let Some(item) = paths.member(path, &props.ptr) else {
        return;
    };
    if let RVal::Map(entries) = &mut item.val {
        entries.push((operation_key, map(&props.ptr, operation)));
    }
}

/// `Integration` as `x-amazon-apigateway-integration`; `None` after reporting what is missing.
fn integration(stack: &mut Stack<'_>, r: &Read) -> Option<RNode> {
    let Some(node) = r.props.get("Integration") else {
        let message = format!("{} has no Integration; AWS refuses to deploy a REST API method without one (add one, for example Type: MOCK)", r.name());
        stack.error(&r.props.ptr, At::Key, message);
        return None;
    };
    let entries = stack.mapping(node, "Integration")?.to_vec();
    stack.check_keys(
        &entries,
        &keys(INTEGRATION),
        &format!("the Integration of {}", r.name()),
    );
    if node.get("Type").is_none() {
        let message =
            "Integration needs Type; expected one of AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK";
        stack.error(&node.ptr, At::Key, message);
        return None;
    }
    let mut out = renamed(node, INTEGRATION);
    if let Some(list) = node.get("IntegrationResponses") {
        let responses = integration_responses(stack, list)?;
        if let Some(slot) = out.get_mut("responses") {
            *slot = responses;
        }
    }
    Some(out)
}

/// `IntegrationResponses` (a list) as `responses`, keyed by `SelectionPattern` (`default` for
/// the one without).
fn integration_responses(stack: &mut Stack<'_>, list: &RNode) -> Option<RNode> {
    let items = stack.list(list, "IntegrationResponses")?.to_vec();
    let mut out: Vec<(String, RNode)> = Vec::new();
    for item in &items {
        let entries = stack.mapping(item, "each integration response")?.to_vec();
        stack.check_keys(
            &entries,
            &keys(INTEGRATION_RESPONSE),
            "an integration response",
        );
        let pattern = match item.get("SelectionPattern") {
            Some(p) => stack.text(p, "SelectionPattern")?,
            None => "default".to_owned(),
        };
        if out.iter().any(|(k, _)| *k == pattern) {
            let at = item.get("SelectionPattern").map_or(&item.ptr, |p| &p.ptr);
            let message = if pattern == "default" {
                "a second integration response without SelectionPattern; only one may be the default".to_owned()
            } else {
                format!("a second integration response with SelectionPattern \"{pattern}\"; each pattern selects one response")
            };
            stack.error(at, At::Value, message);
            return None;
        }
        out.push((pattern, renamed(item, INTEGRATION_RESPONSE)));
    }
    Some(map(&list.ptr, out))
}

/// `RequestParameters` (`method.request.querystring.q: true`) as Swagger `parameters`.
fn request_parameters(stack: &mut Stack<'_>, node: &RNode) -> Option<RNode> {
    let entries = stack.mapping(node, "RequestParameters")?.to_vec();
    let mut out = Vec::new();
    for (key, required) in &entries {
        let location = [
            ("path", "path"),
            ("querystring", "query"),
            ("header", "header"),
        ]
        .into_iter()
        .find_map(|(cfn, oas)| {
            let name = key
                .strip_prefix("method.request.")?
                .strip_prefix(cfn)?
                .strip_prefix('.')?;
            (!name.is_empty()).then_some((oas, name))
        });
        let Some((location, name)) = location else {
            let message = format!("RequestParameters key \"{key}\" names no request parameter; expected method.request.path.NAME, method.request.querystring.NAME or method.request.header.NAME");
            stack.error(&required.ptr, At::Key, message);
            return None;
        };
        let required_value = match &required.val {
            RVal::Scalar(serde_json::Value::Bool(b)) => *b,
            _ => match required.text().as_deref() {
                Some("true") => true,
                Some("false") => false,
                _ => {
                    let found = required.type_name();
                    let message = format!("RequestParameters.{key} says whether the parameter is required: true or false; found {found}");
                    stack.error(&required.ptr, At::Value, message);
                    return None;
                }
            },
        };
        let at = |v: serde_json::Value| RNode::scalar(&required.ptr, v);
        out.push(map(
            &required.ptr,
            vec![
                ("name".to_owned(), at(name.into())),
                ("in".to_owned(), at(location.into())),
                // Path parameters are always required in Swagger.
                (
                    "required".to_owned(),
                    at((required_value || location == "path").into()),
                ),
                ("type".to_owned(), at("string".into())),
            ],
        ));
    }
    Some(RNode {
        ptr: node.ptr.clone(),
        val: RVal::List(out),
    })
}

/// `MethodResponses` as `responses`: status → the headers its `ResponseParameters` declare.
fn method_responses(stack: &mut Stack<'_>, r: &Read) -> RNode {
    let Some(list) = r.props.get("MethodResponses") else {
        return map::<String>(&r.props.ptr, Vec::new());
    };
    let items = stack
        .list(list, "MethodResponses")
        .map(<[RNode]>::to_vec)
        .unwrap_or_default();
    let mut out = Vec::new();
    for item in &items {
        let Some(entries) = stack
            .mapping(item, "each method response")
            .map(<[_]>::to_vec)
        else {
            continue;
        };
        stack.check_keys(&entries, METHOD_RESPONSE, "a method response");
        let Some(status) = item
            .get("StatusCode")
            .and_then(|s| stack.text(s, "StatusCode"))
        else {
            if item.get("StatusCode").is_none() {
                stack.error(&item.ptr, At::Key, "a method response needs StatusCode");
            }
            continue;
        };
        let mut headers = Vec::new();
        for (key, value) in item
            .get("ResponseParameters")
            .map(RNode::entries)
            .unwrap_or_default()
        {
            match key.strip_prefix("method.response.header.") {
                Some(name) if !name.is_empty() => {
                    let schema = vec![("type".to_owned(), RNode::scalar(&value.ptr, "string"))];
                    headers.push((name.to_owned(), map(&value.ptr, schema)));
                }
                _ => {
                    let message = format!("ResponseParameters key \"{key}\" names no response header; expected method.response.header.NAME");
                    stack.error(&value.ptr, At::Key, message);
                }
            }
        }
        let description = ("description".to_owned(), RNode::scalar(&item.ptr, ""));
        let response = map(
            &item.ptr,
            vec![description, ("headers".to_owned(), map(&item.ptr, headers))],
        );
        out.push((status, response));
    }
    map(&list.ptr, out)
}

/// A method's `security` (none for `NONE` without an API key) and the schemes it names.
type Security = (Option<RNode>, Vec<(String, RNode)>);

fn security(
    stack: &mut Stack<'_>,
    r: &Read,
    api: &Building,
    known: &Known<'_>,
) -> Option<Security> {
    let props = &r.props;
    let kind = match props.get("AuthorizationType") {
        Some(node) => {
            let text = stack.text(node, "AuthorizationType")?;
            if !AUTHORIZATION_TYPES.contains(&text.as_str()) {
                let message = format!(
                    "unknown AuthorizationType \"{text}\"; expected one of {}",
                    one_of(AUTHORIZATION_TYPES)
                );
                stack.error(&node.ptr, At::Value, message);
                return None;
            }
            text
        }
        None => "NONE".to_owned(),
    };
    let at = props
        .get("AuthorizationType")
        .map_or(&props.ptr, |n| &n.ptr)
        .clone();
    let mut requirement = Vec::new();
    let mut schemes = Vec::new();
    let authorizer = props.get("AuthorizerId");
    match (kind.as_str(), authorizer) {
        ("CUSTOM" | "COGNITO_USER_POOLS", Some(node)) => {
            let name = authorizer_scheme(stack, node, &kind, api, known)?;
            let scopes = match props.get("AuthorizationScopes") {
                Some(s) => s.clone(),
                None => RNode {
                    ptr: node.ptr.clone(),
                    val: RVal::List(Vec::new()),
                },
            };
            requirement.push((name, scopes));
        }
        ("CUSTOM" | "COGNITO_USER_POOLS", None) => {
            let message =
                format!("AuthorizationType {kind} needs AuthorizerId, the !Ref of an {AUTHORIZER}");
            stack.error(&at, At::Value, message);
            return None;
        }
        (_, Some(node)) => {
            let message = format!("AuthorizerId is used only with AuthorizationType CUSTOM or COGNITO_USER_POOLS; this method's is {kind}");
            stack.error(&node.ptr, At::Key, message);
            return None;
        }
        ("AWS_IAM", None) => {
            let scheme = map(
                &at,
                vec![
                    ("type".to_owned(), RNode::scalar(&at, "apiKey")),
                    ("name".to_owned(), RNode::scalar(&at, "Authorization")),
                    ("in".to_owned(), RNode::scalar(&at, "header")),
                    (
                        "x-amazon-apigateway-authtype".to_owned(),
                        RNode::scalar(&at, "awsSigv4"),
                    ),
                ],
            );
            requirement.push((
                IAM_SCHEME.to_owned(),
                RNode {
                    ptr: at.clone(),
                    val: RVal::List(Vec::new()),
                },
            ));
            schemes.push((IAM_SCHEME.to_owned(), scheme));
        }
        _ => {}
    }
    if let Some(node) = props.get("AuthorizationScopes") {
        if kind != "COGNITO_USER_POOLS" {
            // AWS ignores scopes without a Cognito authorizer; say so rather than drop them quietly.
            stack.warn(&node.ptr, format!("AuthorizationScopes apply only with AuthorizationType COGNITO_USER_POOLS; this method's is {kind}, so they are ignored"));
            if let Some((_, scopes)) = requirement.first_mut() {
                *scopes = RNode {
                    ptr: node.ptr.clone(),
                    val: RVal::List(Vec::new()),
                };
            }
        }
    }
    if let Some(node) = props.get("ApiKeyRequired") {
        let required = match node.text().as_deref() {
            Some("true") => true,
            Some("false") => false,
            _ => {
                let found = node.type_name();
                stack.error(
                    &node.ptr,
                    At::Value,
                    format!("ApiKeyRequired must be true or false; found {found}"),
                );
                return None;
            }
        };
        if required {
            let scheme = map(
                &node.ptr,
                vec![
                    ("type".to_owned(), RNode::scalar(&node.ptr, "apiKey")),
                    ("name".to_owned(), RNode::scalar(&node.ptr, "x-api-key")),
                    ("in".to_owned(), RNode::scalar(&node.ptr, "header")),
                ],
            );
            requirement.push((
                API_KEY_SCHEME.to_owned(),
                RNode {
                    ptr: node.ptr.clone(),
                    val: RVal::List(Vec::new()),
                },
            ));
            schemes.push((API_KEY_SCHEME.to_owned(), scheme));
        }
    }
    if requirement.is_empty() {
        return Some((None, schemes));
    }
    let security = RNode {
        ptr: at.clone(),
        val: RVal::List(vec![map(&at, requirement)]),
    };
    Some((Some(security), schemes))
}

/// The authorizer `node` (an `AuthorizerId`) names, checked against the method's API and
/// `AuthorizationType`; its security scheme is already in the document ([`define_authorizer`]).
fn authorizer_scheme(
    stack: &mut Stack<'_>,
    node: &RNode,
    kind: &str,
    api: &Building,
    known: &Known<'_>,
) -> Option<String> {
    let id = stack.text(node, "AuthorizerId")?;
    let Some(r) = known.authorizers.get(id.as_str()) else {
        let message =
            format!("AuthorizerId \"{id}\" is no {AUTHORIZER} of this template; use !Ref of one");
        stack.error(&node.ptr, At::Value, message);
        return None;
    };
    let owner = r.props.get("RestApiId").and_then(RNode::text)?;
    if !known.api_ids.contains_key(&owner) {
        // Reported with the authorizer.
        return None;
    }
    if owner != api.id {
        let other = known.names.get(&owner).unwrap_or(&owner);
        let message = format!("AuthorizerId names {id}, an authorizer of another REST API ({other}); a method uses an authorizer of its own API ({})", api.logical_id);
        stack.error(&node.ptr, At::Value, message);
        return None;
    }
    // A missing or wrong Type was reported with the authorizer.
    let authorizer_type = r.props.get("Type").and_then(RNode::text)?;
    let expected = if authorizer_type.eq_ignore_ascii_case("COGNITO_USER_POOLS") {
        "COGNITO_USER_POOLS"
    } else {
        "CUSTOM"
    };
    if kind != expected {
        let message = format!("AuthorizationType {kind} does not match {id}, a {authorizer_type} authorizer; use AuthorizationType {expected}");
        stack.error(&node.ptr, At::Value, message);
        return None;
    }
    Some(id)
}

/// Adds the authorizer `r` to its API's `securityDefinitions` (every authorizer, used or not,
/// as AWS creates it), named by its logical id.
pub(super) fn define_authorizer(stack: &mut Stack<'_>, r: &Read, api: &mut Building) {
    let Some(type_node) = r.props.get("Type") else {
        let message = format!(
            "{} needs Type; expected one of TOKEN, REQUEST, COGNITO_USER_POOLS",
            r.name()
        );
        stack.error(&r.props.ptr, At::Key, message);
        return;
    };
    let Some(authorizer_type) = stack.text(type_node, "Type") else {
        return;
    };
    let header = r
        .props
        .get("IdentitySource")
        .and_then(RNode::text)
        .and_then(|s| {
            s.split(',').find_map(|p| {
                p.trim()
                    .strip_prefix("method.request.header.")
                    .map(str::to_owned)
            })
        })
        .unwrap_or_else(|| "Authorization".to_owned());
    let at = &r.props.ptr;
    let authtype = if authorizer_type.eq_ignore_ascii_case("COGNITO_USER_POOLS") {
        "cognito_user_pools"
    } else {
        "custom"
    };
    let scheme = map(
        at,
        vec![
            ("type".to_owned(), RNode::scalar(at, "apiKey")),
            ("name".to_owned(), RNode::scalar(at, header)),
            ("in".to_owned(), RNode::scalar(at, "header")),
            (
                "x-amazon-apigateway-authtype".to_owned(),
                RNode::scalar(at, authtype),
            ),
            (
                "x-amazon-apigateway-authorizer".to_owned(),
                renamed(&r.props, AUTHORIZER_MEMBERS),
            ),
        ],
    );
    if let Some(definitions) = schemes_of(&mut api.doc) {
        if let RVal::Map(entries) = &mut definitions.val {
            entries.push((r.id.clone(), scheme));
        }
    }
}

/// Adds a gateway response to the API's `x-amazon-apigateway-gateway-responses`.
pub(super) fn gateway_response(stack: &mut Stack<'_>, r: &Read, api: &mut Building) {
    let Some(type_node) = r.props.get("ResponseType") else {
        let message = format!(
            "{} needs ResponseType, such as DEFAULT_4XX or UNAUTHORIZED",
            r.name()
        );
        stack.error(&r.props.ptr, At::Key, message);
        return;
    };
    let Some(response_type) = stack.text(type_node, "ResponseType") else {
        return;
    };
    let names = [
        ("StatusCode", "statusCode"),
        ("ResponseParameters", "responseParameters"),
        ("ResponseTemplates", "responseTemplates"),
    ];
    let mut response = renamed(&r.props, &names);
    // The loader names the response type at the response's place: make that the ResponseType.
    response.ptr = type_node.ptr.clone();
    let doc_ptr = api.doc.ptr.clone();
    let Some(responses) = api
        .doc
        .member("x-amazon-apigateway-gateway-responses", &doc_ptr)
    else {
        return;
    };
    if responses.get(&response_type).is_some() {
        let message = format!(
            "the API already has a gateway response {response_type}; {} declares it again",
            r.name()
        );
        stack.error(&type_node.ptr, At::Value, message);
        return;
    }
    if let RVal::Map(entries) = &mut responses.val {
        entries.push((response_type, response));
    }
}
