//! WebSocket APIs from `AWS::ApiGatewayV2::*` resources → [`WebSocketApi`]s: the API itself
//! ([`api`]), its Lambda authorizers ([`authorizer`]), integrations and integration responses
//! ([`integration`]), routes and route responses ([`route`]), and stages and deployments
//! ([`stage`]).
//!
//! These resources name each other by `Ref` (an API gives its id, the others their logical id)
//! and may come in any order, so every one is read first and the APIs are assembled here once
//! all are known. An `AWS::ApiGatewayV2::Api` with `ProtocolType: HTTP` and the resources whose
//! `ApiId` names it are set aside for [`http`], which builds HTTP APIs from the same resources.

mod api;
mod authorizer;
mod http;
mod integration;
mod route;
mod stage;

#[cfg(test)]
pub(super) use api::route_selection;

use std::collections::{BTreeMap, BTreeSet};

use super::declared::{self, Decl, Read};
use super::resolved::RNode;
use super::stack::Stack;
use crate::function::Template;
use crate::load::context::{At, Node};
use crate::websocket::{StageThrottle, WebSocketApi};

pub(super) const API: &str = "AWS::ApiGatewayV2::Api";
const ROUTE: &str = "AWS::ApiGatewayV2::Route";
const ROUTE_RESPONSE: &str = "AWS::ApiGatewayV2::RouteResponse";
const INTEGRATION: &str = "AWS::ApiGatewayV2::Integration";
const INTEGRATION_RESPONSE: &str = "AWS::ApiGatewayV2::IntegrationResponse";
const AUTHORIZER: &str = "AWS::ApiGatewayV2::Authorizer";
const STAGE: &str = "AWS::ApiGatewayV2::Stage";
const DEPLOYMENT: &str = "AWS::ApiGatewayV2::Deployment";

/// The resource types read here; other `AWS::ApiGatewayV2::*` types (`DomainName`,
/// `ApiMapping`, `Model`, `VpcLink`, ...) are listed as ignored like any resource Turnpike does
/// not create.
pub(super) const KINDS: &[&str] = &[
    API,
    ROUTE,
    ROUTE_RESPONSE,
    INTEGRATION,
    INTEGRATION_RESPONSE,
    AUTHORIZER,
    STAGE,
    DEPLOYMENT,
];

/// One resource of those types, as the template declares it; `None` for a type not in
/// [`KINDS`].
pub(super) fn declared<'d>(id: &str, kind: &str, node: Node<'d>) -> Option<Decl<'d>> {
    Decl::of(id, kind, node, KINDS)
}

/// The APIs built so far, and what each `AWS::ApiGatewayV2::Api` id stands for.
#[derive(Default)]
struct Apis {
    list: Vec<WebSocketApi>,
    /// API id → its index in `list`; `None` for an API already reported (a wrong or missing
    /// `ProtocolType`, say), whose resources are skipped quietly.
    by_id: BTreeMap<String, Option<usize>>,
}

/// Builds every WebSocket API the resources declare into `template` (APIs and stages).
pub(super) fn build<'d>(stack: &mut Stack<'d>, decls: Vec<Decl<'d>>, template: &mut Template) {
    let kinds: Kinds = decls.iter().map(|d| (d.id.clone(), d.kind)).collect();
    let read: Vec<Read> = decls
        .into_iter()
        .filter_map(|decl| properties(stack, decl))
        .collect();
    let http_ids: BTreeSet<String> = read
        .iter()
        .filter(|r| http::is_http_api(r))
        .map(|r| super::resources::api_id(&stack.stack_name, &r.id))
        .collect();
    let (http_read, read): (Vec<Read>, Vec<Read>) = read.into_iter().partition(|r| {
        http::is_http_api(r) || http::api_id_of(r).is_some_and(|id| http_ids.contains(&id))
    });
    http::build(stack, &http_read, &kinds, template);
    let of = |kind: &'static str| read.iter().filter(move |r| r.kind == kind);
    let mut apis = Apis::default();
    for r in of(API) {
        let id = super::resources::api_id(&stack.stack_name, &r.id);
        let index = api::read(stack, r, &id).map(|api| {
            apis.list.push(api);
            apis.list.len() - 1
        });
        apis.by_id.insert(id, index);
    }
    let mut authorizer_apis = BTreeMap::new();
    for r in of(AUTHORIZER) {
        let Some(owner) = owner(stack, r, &apis) else {
            continue;
        };
        authorizer_apis.insert(r.id.clone(), owner);
        if let (Some(authorizer), Some(api)) =
            (authorizer::read(stack, r), apis.list.get_mut(owner))
        {
            api.authorizers.insert(r.id.clone(), authorizer);
        }
    }
    let mut integrations = BTreeMap::new();
    for r in of(INTEGRATION) {
        if let Some(owner) = owner(stack, r, &apis) {
            if let Some(read) = integration::read(stack, r, owner) {
                integrations.insert(r.id.clone(), read);
            }
        }
    }
    for r in of(INTEGRATION_RESPONSE) {
        if let Some(owner) = owner(stack, r, &apis) {
            integration::response(stack, r, owner, &kinds, &mut integrations);
        }
    }
    let routes: BTreeMap<&str, Option<usize>> = of(ROUTE)
        .map(|r| (r.id.as_str(), api_of(r, &apis)))
        .collect();
    let mut two_way = BTreeSet::new();
    for r in of(ROUTE_RESPONSE) {
        if let Some(owner) = owner(stack, r, &apis) {
            route::response(stack, r, owner, &kinds, &routes, &mut two_way);
        }
    }
    let known = route::Known {
        kinds: &kinds,
        integrations: &integrations,
        authorizer_apis: &authorizer_apis,
        two_way: &two_way,
    };
    for r in of(ROUTE) {
        let Some(owner) = owner(stack, r, &apis) else {
            continue;
        };
        let Some(api) = apis.list.get_mut(owner) else {
            continue;
        };
        if let Some(route) = route::read(stack, r, owner, &known, api) {
            route::add(stack, r, route, api);
        }
    }
    for r in of(STAGE) {
        let Some(owner) = owner(stack, r, &apis) else {
            continue;
        };
        let Some(api) = apis.list.get_mut(owner) else {
            continue;
        };
        if let Some((stage, throttle)) = stage::read(stack, r, api) {
            let name = stage.name.clone();
            let added = stage::add(stack, r, &api.id, stage, &mut template.stages);
            if added && throttle != StageThrottle::default() {
                api.stage_throttles.insert(name, throttle);
            }
        }
    }
    for r in of(DEPLOYMENT) {
        owner(stack, r, &apis);
    }
    template.websocket_apis.extend(apis.list);
}

/// Evaluates the resource's `Properties` and reports names its type does not have.
fn properties<'d>(stack: &mut Stack<'d>, decl: Decl<'d>) -> Option<Read> {
    declared::properties(stack, decl, |kind| match kind {
        API => api::PROPERTIES,
        ROUTE => route::PROPERTIES,
        ROUTE_RESPONSE => route::RESPONSE_PROPERTIES,
        INTEGRATION => integration::PROPERTIES,
        INTEGRATION_RESPONSE => integration::RESPONSE_PROPERTIES,
        AUTHORIZER => authorizer::PROPERTIES,
        STAGE => stage::PROPERTIES,
        _ => stage::DEPLOYMENT_PROPERTIES,
    })
}

/// The WebSocket API the resource's `ApiId` names (its index in `apis.list`), reporting a missing
/// or foreign one; `None` also for resources of an API already reported.
fn owner(stack: &mut Stack<'_>, r: &Read, apis: &Apis) -> Option<usize> {
    let Some(node) = r.props.get("ApiId") else {
        let message = format!(
            "{} needs ApiId, the !Ref of its AWS::ApiGatewayV2::Api",
            r.name()
        );
        stack.error(&r.props.ptr, At::Key, message);
        return None;
    };
    let id = stack.text(node, "ApiId")?;
    match apis.by_id.get(&id) {
        Some(index) => *index,
        None => {
            let message = format!("ApiId \"{id}\" is no WebSocket API of this template; use !Ref of an AWS::ApiGatewayV2::Api with ProtocolType: WEBSOCKET");
            stack.error(&node.ptr, At::Value, message);
            None
        }
    }
}

/// [`owner`] without messages: the API a route belongs to, for route responses naming it.
fn api_of(r: &Read, apis: &Apis) -> Option<usize> {
    let id = r.props.get("ApiId")?.text()?;
    apis.by_id.get(&id).copied().flatten()
}

/// Reports each of `names` the resource sets: properties AWS takes for HTTP APIs only.
fn http_only(stack: &mut Stack<'_>, r: &Read, names: &[&str]) {
    for (key, value) in r.props.entries() {
        if names.contains(&key.as_str()) {
            let message = format!(
                "{key} is supported only for HTTP APIs; {} belongs to a WebSocket API",
                r.name()
            );
            stack.error(&value.ptr, At::Key, message);
        }
    }
}

/// Logical id → type of every resource read here.
type Kinds = BTreeMap<String, &'static str>;

/// The logical id a `Ref`-valued property (`RouteId`, `IntegrationId`, `AuthorizerId`, the end
/// of `Target`) names, when it is a resource of type `kind`; reports otherwise.
fn reference(
    stack: &mut Stack<'_>,
    node: &RNode,
    what: &str,
    kind: &str,
    kinds: &Kinds,
) -> Option<String> {
    let id = stack.text(node, what)?;
    named(stack, node, &id, what, kind, kinds).then_some(id)
}

/// Whether `id` is a resource of type `kind`; reports otherwise at `node`.
fn named(
    stack: &mut Stack<'_>,
    node: &RNode,
    id: &str,
    what: &str,
    kind: &str,
    kinds: &Kinds,
) -> bool {
    if kinds.get(id).is_some_and(|k| *k == kind) {
        return true;
    }
    let message =
        format!("{what} names \"{id}\", which is no {kind} of this template; use !Ref of one");
    stack.error(&node.ptr, At::Value, message);
    false
}
