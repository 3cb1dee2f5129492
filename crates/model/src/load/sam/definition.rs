//! The OpenAPI document of an API defined in the template, edited as SAM edits it: generated
//! when the API has no definition, titled after its `Name`, and given a Lambda proxy integration
//! for each event that targets it (on the operation the document has for that path and method,
//! or on a new one).

use super::apis::ApiDecl;
use super::events::EventRoute;
use super::resolved::{RNode, RVal};
use super::stack::Stack;
use crate::api::{ApiKind, PayloadFormatVersion};
use crate::function::{function_arn, REGION};
use crate::load::context::At;

const INTEGRATION: &str = "x-amazon-apigateway-integration";

/// The document SAM generates for an API without a definition.
pub(super) fn generated(stack: &Stack<'_>, decl: &ApiDecl<'_>) -> RNode {
    let at = |val| RNode {
        ptr: decl.ptr.clone(),
        val,
    };
    let scalar = |s: &str| RNode::scalar(&decl.ptr, s);
    let version = match decl.kind {
        ApiKind::Rest => ("swagger", scalar("2.0")),
        ApiKind::Http => ("openapi", scalar("3.0.1")),
    };
    let info = at(RVal::Map(vec![
        ("version".into(), scalar("1.0")),
        ("title".into(), scalar(&stack.stack_name)),
    ]));
    at(RVal::Map(vec![
        (version.0.into(), version.1),
        ("info".into(), info),
        ("paths".into(), at(RVal::Map(Vec::new()))),
    ]))
}

pub(super) fn set_title(doc: &mut RNode, title: &str) {
    let ptr = doc.ptr.clone();
    if let Some(info) = doc.member("info", &ptr) {
        let ptr = info.ptr.clone();
        if let Some(slot) = info.member("title", &ptr) {
            *slot = RNode::scalar(&ptr, title);
        }
    }
}

/// Adds the Lambda proxy operation of `event` to `doc`, as SAM does.
pub(super) fn add_route(stack: &mut Stack<'_>, doc: &mut RNode, event: &EventRoute) {
    let (path, method) = match &event.route {
        Some((path, method)) => (path.as_str(), method.as_str()),
        None => ("/$default", "any"),
    };
    let operation_key = if method == "any" {
        "x-amazon-apigateway-any-method"
    } else {
        method
    };
    let doc_ptr = doc.ptr.clone();
    let Some(paths) = doc.member("paths", &doc_ptr) else {
        return;
    };
    let Some(item) = paths.member(path, &event.path_ptr) else {
        return;
    };
    // An operation the definition already has gets the integration, unless it has one: SAM
    // refuses to replace it.
    let integrated = item
        .get(operation_key)
        .is_some_and(|op| op.get(INTEGRATION).is_some());
    if integrated {
        let route = if event.route.is_some() {
            format!("API method \"{method}\" is defined more than once for path \"{path}\"")
        } else {
            "the $default route is defined more than once".to_owned()
        };
        stack.error(
            &event.method_ptr,
            At::Value,
            format!("{route}; each path and method may have one integration"),
        );
        return;
    }
    let Some(operation) = item.member(operation_key, &event.ptr) else {
        return;
    };
    let scalar = |v: serde_json::Value| RNode::scalar(&event.ptr, v);
    let uri = format!(
        "arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{}/invocations",
        function_arn(&event.function_name)
    );
    let mut integration = vec![
        ("type".to_owned(), scalar("aws_proxy".into())),
        ("httpMethod".to_owned(), scalar("POST".into())),
        ("uri".to_owned(), scalar(uri.into())),
    ];
    if event.kind == ApiKind::Http {
        let version = if event.payload == PayloadFormatVersion::V2 {
            "2.0"
        } else {
            "1.0"
        };
        integration.push(("payloadFormatVersion".to_owned(), scalar(version.into())));
    }
    if let Some(ms) = event.timeout_ms {
        integration.push(("timeoutInMillis".to_owned(), scalar(ms.into())));
    }
    let integration = RNode {
        ptr: event.ptr.clone(),
        val: RVal::Map(integration),
    };
    let RVal::Map(members) = &mut operation.val else {
        return;
    };
    members.push((INTEGRATION.to_owned(), integration));
    if event.kind == ApiKind::Rest && !members.iter().any(|(k, _)| k == "responses") {
        let responses = RNode {
            ptr: event.ptr.clone(),
            val: RVal::Map(Vec::new()),
        };
        members.push(("responses".to_owned(), responses));
    }
}
