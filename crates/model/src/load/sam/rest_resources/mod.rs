//! REST APIs written as plain CloudFormation (`AWS::ApiGateway::*` resources, what `cdk synth`
//! produces) → [`Api`]s of kind REST and their stages.
//!
//! An `AWS::ApiGateway::RestApi` is either an OpenAPI `Body` or a tree of
//! `AWS::ApiGateway::Resource`s holding `AWS::ApiGateway::Method`s (with their
//! `AWS::ApiGateway::Authorizer`s and `AWS::ApiGateway::GatewayResponse`s). Both go through the
//! OpenAPI loader, as `AWS::Serverless::Api`'s `DefinitionBody` does: the resources are written
//! into the Swagger document AWS itself would export for them ([`method`]), each node keeping the
//! template position it came from, so integrations, authorizers and responses get exactly the
//! checks and messages an OpenAPI document's do, pointed back into the template.
//!
//! Resources name each other as CloudFormation does: `RestApiId` is the API's `Ref` (its id),
//! `ParentId`/`ResourceId` the `RootResourceId` attribute of an API or the `Ref` (or `ResourceId`
//! attribute) of a Resource, `AuthorizerId` an Authorizer's `Ref`. Where AWS gives generated ids,
//! Turnpike gives the logical id (Resources, Authorizers) or one derived from it (the root), so
//! they are stable across restarts and can be matched back here.
//!
//! Stages: a `StageName` on an `AWS::ApiGateway::Deployment` creates that stage, and an
//! `AWS::ApiGateway::Stage` another ([`super::gateway_stage`]). Unlike SAM (which always creates
//! one), plain CloudFormation has no stage without them; such an API is loaded with a warning and
//! no declared stage, and is then served on the stage an OpenAPI document's API gets (`dev`, or
//! `--stage`), which keeps `turnpike serve template.json` useful on a template in progress.

mod method;

use std::collections::{BTreeMap, BTreeSet};

use super::declared::{self, Decl, Read};
use super::resolved::{RNode, RVal};
use super::resources::api_id;
use super::stack::Stack;
use crate::api::{Api, ApiKind};
use crate::function::Template;
use crate::id::api_id_from_title;
use crate::load::context::{At, Node};
use crate::stage::Stage;

pub(super) const REST_API: &str = "AWS::ApiGateway::RestApi";
pub(super) const RESOURCE: &str = "AWS::ApiGateway::Resource";
const METHOD: &str = "AWS::ApiGateway::Method";
pub(super) const AUTHORIZER: &str = "AWS::ApiGateway::Authorizer";
const GATEWAY_RESPONSE: &str = "AWS::ApiGateway::GatewayResponse";
const DEPLOYMENT: &str = "AWS::ApiGateway::Deployment";

/// The resource types read here (`AWS::ApiGateway::Stage` is read by [`super::gateway_stage`]).
const KINDS: &[&str] = &[
    REST_API,
    RESOURCE,
    METHOD,
    AUTHORIZER,
    GATEWAY_RESPONSE,
    DEPLOYMENT,
];

const API_PROPERTIES: &[&str] = &[
    "ApiKeySourceType",
    "BinaryMediaTypes",
    "Body",
    "BodyS3Location",
    "CloneFrom",
    "Description",
    "DisableExecuteApiEndpoint",
    "EndpointConfiguration",
    "FailOnWarnings",
    "MinimumCompressionSize",
    "Mode",
    "Name",
    "Parameters",
    "Policy",
    "Tags",
];

const RESOURCE_PROPERTIES: &[&str] = &["ParentId", "PathPart", "RestApiId"];

const DEPLOYMENT_PROPERTIES: &[&str] = &[
    "DeploymentCanarySettings",
    "Description",
    "RestApiId",
    "StageDescription",
    "StageName",
];

/// Whether resources of type `kind` are read here.
pub(super) fn reads(kind: &str) -> bool {
    KINDS.contains(&kind)
}

/// One resource of those types, as the template declares it; `None` for a type not read
/// here.
pub(super) fn declared<'d>(id: &str, kind: &str, node: Node<'d>) -> Option<Decl<'d>> {
    Decl::of(id, kind, node, KINDS)
}

/// What `Fn::GetAtt Api.RootResourceId` gives: stable, and distinct for every API.
pub(super) fn root_resource_id(stack_name: &str, logical_id: &str) -> String {
    api_id_from_title(&format!("{stack_name}/{logical_id}/RootResourceId"))
}

/// One RestApi being assembled: its OpenAPI document and what the messages need.
struct Building {
    logical_id: String,
    id: String,
    ptr: String,
    doc: RNode,
    props: RNode,
    /// (path, verb) of every method written into `doc`, to report a second one.
    methods: BTreeSet<(String, String)>,
}

/// A REST API built here, for [`warn_stageless`].
pub(super) struct Built {
    id: String,
    logical_id: String,
    ptr: String,
}

/// Builds every REST API the resources declare into `template` (APIs, and the stages their
/// deployments name). Call before [`super::gateway_stage::attach`], which adds the
/// `AWS::ApiGateway::Stage`s.
pub(super) fn build<'d>(
    stack: &mut Stack<'d>,
    decls: Vec<Decl<'d>>,
    template: &mut Template,
) -> Vec<Built> {
    let read: Vec<Read> = decls
        .into_iter()
        .filter_map(|decl| properties(stack, decl))
        .collect();
    let of = |kind: &'static str| read.iter().filter(move |r| r.kind == kind);
    let mut apis: Vec<Building> = of(REST_API).filter_map(|r| start(stack, r)).collect();
    // Every API id, including those whose properties failed: their resources are skipped quietly.
    let mut known: BTreeMap<String, Option<usize>> = of(REST_API)
        .map(|r| (api_id(&stack.stack_name, &r.id), None))
        .collect();
    for (index, api) in apis.iter().enumerate() {
        known.insert(api.id.clone(), Some(index));
    }
    let roots: BTreeMap<String, String> = of(REST_API)
        .map(|r| {
            let id = api_id(&stack.stack_name, &r.id);
            (root_resource_id(&stack.stack_name, &r.id), id)
        })
        .collect();
    let resources: BTreeMap<&str, &Read> = of(RESOURCE).map(|r| (r.id.as_str(), r)).collect();
    let names: BTreeMap<String, String> = of(REST_API)
        .map(|r| (api_id(&stack.stack_name, &r.id), r.id.clone()))
        .collect();
    let mut paths = Paths {
        names: &names,
        roots: &roots,
        resources: &resources,
        done: BTreeMap::new(),
    };
    for r in of(RESOURCE) {
        if owner(stack, r, &known).is_some() {
            paths.path_of(stack, &r.id, &mut Vec::new());
        }
    }
    let authorizers: BTreeMap<&str, &Read> = of(AUTHORIZER).map(|r| (r.id.as_str(), r)).collect();
    for r in of(AUTHORIZER) {
        if let Some(api) = owner(stack, r, &known).and_then(|i| apis.get_mut(i)) {
            method::define_authorizer(stack, r, api);
        }
    }
    for r in of(METHOD) {
        let Some(index) = owner(stack, r, &known) else {
            continue;
        };
        let Some(api) = apis.get_mut(index) else {
            continue;
        };
        let Some(path) = method_path(stack, r, api, &mut paths) else {
            continue;
        };
        let known = method::Known {
            authorizers: &authorizers,
            api_ids: &known,
            names: &names,
        };
        method::add(stack, r, &path, api, &known);
    }
    for r in of(GATEWAY_RESPONSE) {
        if let Some(api) = owner(stack, r, &known).and_then(|i| apis.get_mut(i)) {
            method::gateway_response(stack, r, api);
        }
    }
    let mut built = Vec::new();
    for api in apis {
        if let Some(done) = finish(stack, api) {
            built.push(Built {
                id: done.id.clone(),
                logical_id: done.logical_id.clone(),
                ptr: done.ptr.clone(),
            });
            template.apis.push(done.api);
        }
    }
    for r in of(DEPLOYMENT) {
        if owner(stack, r, &known).is_some() {
            deployment(stack, r, template);
        }
    }
    built
}

/// Warns about each API that no deployment or stage deploys (see the module's documentation).
pub(super) fn warn_stageless(stack: &mut Stack<'_>, built: &[Built], template: &Template) {
    for api in built {
        if !template.stages.iter().any(|(id, _)| *id == api.id) {
            let message = format!("{REST_API} {} has no stage: no {DEPLOYMENT} with StageName and no AWS::ApiGateway::Stage deploys it, so AWS would not serve it; Turnpike serves it on the default stage (dev, or --stage)", api.logical_id);
            stack.warn(&api.ptr, message);
        }
    }
}

/// Evaluates the resource's `Properties` and reports names its type does not have (a Method's,
/// Authorizer's and GatewayResponse's in [`method`]).
fn properties<'d>(stack: &mut Stack<'d>, decl: Decl<'d>) -> Option<Read> {
    declared::properties(stack, decl, |kind| match kind {
        REST_API => API_PROPERTIES,
        RESOURCE => RESOURCE_PROPERTIES,
        METHOD => method::PROPERTIES,
        AUTHORIZER => method::AUTHORIZER_PROPERTIES,
        GATEWAY_RESPONSE => method::GATEWAY_RESPONSE_PROPERTIES,
        _ => DEPLOYMENT_PROPERTIES,
    })
}

/// The API's document to add methods to: its `Body`, or an empty Swagger document.
fn start(stack: &mut Stack<'_>, r: &Read) -> Option<Building> {
    let ptr = r.props.ptr.clone();
    for key in ["BodyS3Location", "CloneFrom"] {
        if let Some(node) = r.props.get(key) {
            let message = match key {
                "BodyS3Location" => "BodyS3Location is not supported by Turnpike, which does not read S3; give the OpenAPI document inline as Body, or use an AWS::Serverless::Api with DefinitionUri naming a file beside the template".to_owned(),
                _ => "CloneFrom is not supported by Turnpike: the API to clone is not in this template".to_owned(),
            };
            stack.error(&node.ptr, At::Key, message);
            return None;
        }
    }
    let name = match r.props.get("Name") {
        Some(n) => stack.text(n, "Name")?,
        None => r.id.clone(),
    };
    let doc = match r.props.get("Body") {
        Some(body) => {
            stack.mapping(body, "Body")?;
            let mut doc = body.clone();
            if r.props.get("Name").is_some() {
                super::definition::set_title(&mut doc, &name);
            }
            doc
        }
        None => {
            let at = |val| RNode {
                ptr: ptr.clone(),
                val,
            };
            let scalar = |s: &str| RNode::scalar(&ptr, s);
            let info = at(RVal::Map(vec![
                ("version".into(), scalar("1.0")),
                ("title".into(), scalar(&name)),
            ]));
            at(RVal::Map(vec![
                ("swagger".into(), scalar("2.0")),
                ("info".into(), info),
                ("paths".into(), at(RVal::Map(Vec::new()))),
            ]))
        }
    };
    let mut doc = doc;
    // AWS applies the Policy property as the document's resource policy.
    if let (Some(policy), RVal::Map(entries)) = (r.props.get("Policy"), &mut doc.val) {
        if !entries
            .iter()
            .any(|(k, _)| k == "x-amazon-apigateway-policy")
        {
            entries.push(("x-amazon-apigateway-policy".to_owned(), policy.clone()));
        }
    }
    Some(Building {
        logical_id: r.id.clone(),
        id: api_id(&stack.stack_name, &r.id),
        ptr,
        doc,
        props: r.props.clone(),
        methods: BTreeSet::new(),
    })
}

/// An API, loaded.
struct Done {
    id: String,
    logical_id: String,
    ptr: String,
    api: Api,
}

/// Runs the document through the OpenAPI loader and applies the RestApi's own properties.
fn finish(stack: &mut Stack<'_>, b: Building) -> Option<Done> {
    let before = stack.ctx.error_count() + stack.located.len();
    let binary = super::apis::binary_media_types(stack, &b.props);
    let source = super::usage_plans::api_key_source(stack, &b.props);
    let mut api = super::body::resolve(stack, &b.doc, ApiKind::Rest)?;
    if stack.ctx.error_count() + stack.located.len() != before {
        return None;
    }
    api.id = b.id.clone();
    if let Some(name) = b.props.get("Name").and_then(RNode::text) {
        api.name = name;
    }
    api.binary_media_types.extend(binary);
    if let Some(source) = source {
        api.api_key_source = source;
    }
    Some(Done {
        id: b.id,
        logical_id: b.logical_id,
        ptr: b.ptr,
        api,
    })
}

/// The RestApi the resource's `RestApiId` names (its index among the APIs being built),
/// reporting a missing or foreign one; `None` also for resources of an API already reported.
fn owner(
    stack: &mut Stack<'_>,
    r: &Read,
    known: &BTreeMap<String, Option<usize>>,
) -> Option<usize> {
    let Some(node) = r.props.get("RestApiId") else {
        let message = format!("{} needs RestApiId, the !Ref of its {REST_API}", r.name());
        stack.error(&r.props.ptr, At::Key, message);
        return None;
    };
    let id = stack.text(node, "RestApiId")?;
    match known.get(&id) {
        Some(index) => *index,
        None => {
            let message = format!(
                "RestApiId \"{id}\" is no REST API of this template; use !Ref of an {REST_API}"
            );
            stack.error(&node.ptr, At::Value, message);
            None
        }
    }
}

/// The paths of `AWS::ApiGateway::Resource`s, worked out once each.
struct Paths<'a> {
    /// API id → the RestApi's logical id, for messages.
    names: &'a BTreeMap<String, String>,
    /// RootResourceId → the id of its API.
    roots: &'a BTreeMap<String, String>,
    resources: &'a BTreeMap<&'a str, &'a Read>,
    /// Logical id → (API id, path); `None` for a resource already reported.
    done: BTreeMap<String, Option<(String, String)>>,
}

impl Paths<'_> {
    /// The logical id of the API `id`.
    fn name(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    /// The (API id, path) of the resource `id`; `None` after reporting it (or when a resource
    /// it hangs from was). `visiting` holds the resources below it, to find a cycle.
    fn path_of(
        &mut self,
        stack: &mut Stack<'_>,
        id: &str,
        visiting: &mut Vec<String>,
    ) -> Option<(String, String)> {
        if let Some(done) = self.done.get(id) {
            return done.clone();
        }
        let found = self.compute(stack, id, visiting);
        self.done.insert(id.to_owned(), found.clone());
        found
    }

    fn compute(
        &mut self,
        stack: &mut Stack<'_>,
        id: &str,
        visiting: &mut Vec<String>,
    ) -> Option<(String, String)> {
        let r = *self.resources.get(id)?;
        let api = r.props.get("RestApiId").and_then(RNode::text)?;
        let (Some(parent), Some(part)) = (r.props.get("ParentId"), r.props.get("PathPart")) else {
            let message = format!("{} needs ParentId and PathPart", r.name());
            stack.error(&r.props.ptr, At::Key, message);
            return None;
        };
        let part_text = stack.text(part, "PathPart")?;
        if !valid_part(&part_text) {
            let message = format!("PathPart \"{part_text}\" is not a path segment API Gateway takes: use letters, digits and -._~:@!$&'()*+,;= , or one {{name}} or {{name+}} parameter");
            stack.error(&part.ptr, At::Value, message);
            return None;
        }
        let parent_id = stack.text(parent, "ParentId")?;
        let (parent_api, parent_path) = if let Some(root_api) = self.roots.get(&parent_id) {
            (root_api.clone(), String::new())
        } else if self.resources.contains_key(parent_id.as_str()) {
            if visiting.contains(&parent_id) || parent_id == id {
                let mut cycle = visiting.clone();
                cycle.push(id.to_owned());
                let start = cycle.iter().position(|v| *v == parent_id).unwrap_or(0);
                let mut names: Vec<String> = cycle.get(start..).unwrap_or_default().to_vec();
                names.push(parent_id.clone());
                let message = format!("ParentId makes a cycle ({}): every AWS::ApiGateway::Resource must hang, through its parents, from !GetAtt of a RestApi's RootResourceId", names.join(" → "));
                stack.error(&parent.ptr, At::Value, message);
                return None;
            }
            visiting.push(id.to_owned());
            let found = self.path_of(stack, &parent_id, visiting);
            visiting.pop();
            found?
        } else {
            let message = format!("ParentId \"{parent_id}\" is neither !GetAtt RestApi.RootResourceId nor !Ref of an {RESOURCE} of this template");
            stack.error(&parent.ptr, At::Value, message);
            return None;
        };
        if parent_api != api {
            let message = format!(
                "ParentId names a resource of another REST API ({}) than RestApiId ({}); a resource hangs from the root or a resource of its own API",
                self.name(&parent_api),
                self.name(&api)
            );
            stack.error(&parent.ptr, At::Value, message);
            return None;
        }
        Some((api, format!("{parent_path}/{part_text}")))
    }
}

/// A `PathPart` API Gateway accepts: one `{name}` / `{name+}` parameter, or literal characters.
fn valid_part(part: &str) -> bool {
    if let Some(inner) = part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
        let name = inner.strip_suffix('+').unwrap_or(inner);
        return !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    }
    !part.is_empty()
        && part
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~:@!$&'()*+,;=".contains(&b))
}

/// The path a Method's `ResourceId` names (`/` for the root), reporting an unknown resource or
/// one of another API.
fn method_path(
    stack: &mut Stack<'_>,
    r: &Read,
    api: &Building,
    paths: &mut Paths<'_>,
) -> Option<String> {
    let Some(node) = r.props.get("ResourceId") else {
        let message = format!(
            "{} needs ResourceId: !GetAtt of its RestApi's RootResourceId, or !Ref of an {RESOURCE}",
            r.name()
        );
        stack.error(&r.props.ptr, At::Key, message);
        return None;
    };
    let id = stack.text(node, "ResourceId")?;
    let (owner, path) = if let Some(root_api) = paths.roots.get(&id) {
        (root_api.clone(), "/".to_owned())
    } else if paths.resources.contains_key(id.as_str()) {
        paths.path_of(stack, &id, &mut Vec::new())?
    } else {
        let message = format!("ResourceId \"{id}\" is neither !GetAtt RestApi.RootResourceId nor !Ref of an {RESOURCE} of this template");
        stack.error(&node.ptr, At::Value, message);
        return None;
    };
    if owner != api.id {
        let message = format!("ResourceId names a resource of another REST API ({}) than RestApiId ({}); a method belongs to a resource of its own API", paths.name(&owner), api.logical_id);
        stack.error(&node.ptr, At::Value, message);
        return None;
    }
    Some(path)
}

/// A Deployment's `StageName` creates that stage (with `StageDescription.Variables`).
fn deployment(stack: &mut Stack<'_>, r: &Read, template: &mut Template) {
    let (Some(node), Some(api)) = (
        r.props.get("StageName"),
        r.props.get("RestApiId").and_then(RNode::text),
    ) else {
        return;
    };
    let Some(name) = super::gateway_stage::stage_name(stack, node, false) else {
        return;
    };
    // An API that failed to load has no stage to add.
    if !template.apis.iter().any(|a| a.id == api) {
        return;
    }
    if let Some(description) = r.props.get("StageDescription") {
        for (key, value) in description.entries() {
            if key != "Variables" && key != "Description" {
                let message = format!("StageDescription.{key} is not applied by Turnpike, which reads only Variables here; give the stage as an AWS::ApiGateway::Stage to have its cache settings applied");
                stack.warn(&value.ptr, message);
            }
        }
    }
    let variables = r
        .props
        .get("StageDescription")
        .and_then(|d| d.get("Variables"))
        .map(|v| stack.string_map(v, "StageDescription.Variables"))
        .unwrap_or_default();
    if template
        .stages
        .iter()
        .any(|(id, s)| *id == api && s.name == name)
    {
        let message = format!(
            "the API already has a stage named {name}; {} adds it again",
            r.name()
        );
        stack.error(&node.ptr, At::Value, message);
        return;
    }
    template.stages.push((api, Stage { name, variables }));
}
