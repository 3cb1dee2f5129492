//! APIs written as plain CloudFormation resources, as `cdk synth` writes them, served by the real
//! binary: `examples/cloudformation/rest.yaml` (`AWS::ApiGateway::RestApi`, `Resource`, `Method`,
//! `Deployment`, `Stage`) and `examples/cloudformation/http.yaml` (`AWS::ApiGatewayV2::Api`,
//! `Integration`, `Route`, a JWT `Authorizer`, an auto-deployed `$default` `Stage`), with their
//! Python functions.

use crate::support;

use serde_json::json;
use support::sam::repo;
use support::{assert_gateway_response, Req, TempDir, Turnpike};

fn serve_example(name: &str) -> Turnpike {
    let template = repo().join("examples/cloudformation").join(name);
    Turnpike::serve_args(&[template.to_str().unwrap()])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cdk_style_rest_api_serves_its_methods_on_its_stage() {
    let tp = serve_example("rest.yaml");

    // The MOCK method under /health, with its integration response's header and template.
    let reply = Req::get("/prod/health").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(reply.json(), json!({"status": "ok", "stage": "prod"}));

    // ANY on the root and on {proxy+}: the Lambda proxy function.
    for (method, path, seen) in [
        ("GET", "/prod/", "/"),
        ("POST", "/prod/any/path", "/any/path"),
        ("DELETE", "/prod/health/more", "/health/more"),
    ] {
        let reply = Req::new(method, path).send(tp.addr).await;
        assert_eq!(reply.status, 200, "{method} {path}: {reply:?}");
        assert_eq!(
            reply.json(),
            json!({
                "message": "hello from a CloudFormation REST API",
                "method": method,
                "path": seen,
                "stage": "prod",
            })
        );
    }

    // /health has GET only: another method falls through to the greedy {proxy+}, as on AWS.
    let reply = Req::new("PUT", "/prod/health").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json()["path"], "/health");

    // Deployed to `prod` only.
    let reply = Req::get("/dev/health").send(tp.addr).await;
    assert_gateway_response(
        &reply,
        403,
        r#"{"message":"Forbidden"}"#,
        Some("ForbiddenException"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cdk_style_http_api_serves_its_routes_behind_its_authorizer() {
    let tp = serve_example("http.yaml");

    // `$default` stage, no prefix; `$default` route for anything without its own route.
    let reply = Req::get("/anything/at/all").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json(), json!({"routeKey": "$default", "id": null}));

    // GET /items/{id} sits behind the JWT authorizer: no token, 401 and the Bearer challenge.
    let reply = Req::get("/items/7").send(tp.addr).await;
    assert_eq!(reply.status, 401, "{reply:?}");
    assert_eq!(reply.text(), r#"{"message":"Unauthorized"}"#);
    assert_eq!(reply.header("www-authenticate"), Some("Bearer"));

    // With a `$default` route, a preflight is a request like any other: AWS forwards OPTIONS to
    // the catch-all route's integration and adds the API's CORS headers to its answer.
    let reply = Req::new("OPTIONS", "/items/7")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "GET")
        .send(tp.addr)
        .await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.json(), json!({"routeKey": "$default", "id": null}));
    assert_eq!(
        reply.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
}

/// What `cdk synth` leaves in `cdk.out`: a JSON template whose function code is in the CDK's
/// asset bucket, and the local copy of that code, named by the function's `aws:asset:path`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_cdk_synth_output_runs_its_functions_from_their_assets() {
    let out = TempDir::new();
    out.write(
        "asset.8c1e/index.py",
        "def handler(event, context):\n    return {'statusCode': 200, 'body': 'asset ' + event['path']}\n",
    );
    let uri = json!({"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":apigateway:", {"Ref": "AWS::Region"},
        ":lambda:path/2015-03-31/functions/", {"Fn::GetAtt": ["Fn9270CBC0", "Arn"]}, "/invocations"
    ]]});
    let template = json!({
        "Resources": {
            "Fn9270CBC0": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Code": {"S3Bucket": {"Fn::Sub": "cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}"}, "S3Key": "8c1e.zip"},
                    "Handler": "index.handler",
                    "Runtime": "python3.12",
                    "Role": "arn:aws:iam::123456789012:role/fn"
                },
                "Metadata": {"aws:cdk:path": "Stack/Fn/Resource", "aws:asset:path": "asset.8c1e", "aws:asset:property": "Code"}
            },
            "ApiF70053CD": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "Api"}},
            "ApiproxyD2E3A9B2": {
                "Type": "AWS::ApiGateway::Resource",
                "Properties": {"ParentId": {"Fn::GetAtt": ["ApiF70053CD", "RootResourceId"]}, "PathPart": "{proxy+}", "RestApiId": {"Ref": "ApiF70053CD"}}
            },
            "ApiproxyANY7F13F09C": {
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "HttpMethod": "ANY", "ResourceId": {"Ref": "ApiproxyD2E3A9B2"}, "RestApiId": {"Ref": "ApiF70053CD"},
                    "AuthorizationType": "NONE",
                    "Integration": {"IntegrationHttpMethod": "POST", "Type": "AWS_PROXY", "Uri": uri}
                }
            },
            "ApiDeploymentB17BE62D": {"Type": "AWS::ApiGateway::Deployment", "Properties": {"RestApiId": {"Ref": "ApiF70053CD"}}, "DependsOn": ["ApiproxyANY7F13F09C"]},
            "ApiDeploymentStageprod3EB9684E": {
                "Type": "AWS::ApiGateway::Stage",
                "Properties": {"DeploymentId": {"Ref": "ApiDeploymentB17BE62D"}, "RestApiId": {"Ref": "ApiF70053CD"}, "StageName": "prod"}
            }
        }
    });
    let path = out.write("Stack.template.json", &template.to_string());
    let tp = Turnpike::serve_args(&[path.to_str().unwrap()]);
    let reply = Req::get("/prod/from/cdk").send(tp.addr).await;
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(reply.text(), "asset /from/cdk");
}
