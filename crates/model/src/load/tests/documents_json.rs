//! Realistic JSON documents that load: a Swagger 2.0 file and an HTTP API export.

use std::time::Duration;

use super::*;
use crate::api::{ApiKind, HttpMethod, IntegrationType, PassthroughBehavior, RouteKey};

pub(super) const SWAGGER2_JSON: &str = r##"{
  "swagger": "2.0",
  "info": {"title": "Swagger \u00e9 Pets \ud83d\udc36", "version": "1"},
  "host": "abc123.execute-api.us-east-1.amazonaws.com",
  "basePath": "/prod",
  "schemes": ["https"],
  "consumes": ["application/json"],
  "produces": ["application/json"],
  "paths": {
    "/pets": {
      "get": {
        "produces": ["application/json"],
        "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Pets"}}},
        "x-amazon-apigateway-integration": {
          "type": "MOCK",
          "requestTemplates": {"application/json": "{\"statusCode\": 200}"},
          "passthroughBehavior": "NEVER",
          "responses": {"default": {"statusCode": "200",
            "responseTemplates": {"application/json": "[{\"id\": 1}]"}}}
        }
      }
    },
    "/{proxy+}": {
      "x-amazon-apigateway-any-method": {
        "parameters": [{"name": "proxy", "in": "path", "required": true, "type": "string"}],
        "x-amazon-apigateway-integration": {
          "type":"HTTP_PROXY","uri":"http://backend.example.com/{proxy}","httpMethod":"ANY",
          "requestParameters":{"integration.request.path.proxy":"method.request.path.proxy"},
          "cacheNamespace":"","cacheKeyParameters":["method.request.path.proxy"],
          "timeoutInMillis":29000
        }
      }
    }
  },
  "definitions": {"Pets": {"type": "array", "items": {"type": "object"}}}
}"##;

#[test]
fn swagger_2_json() {
    // A cache key parameter is the one caching setting left in this export.
    let text = SWAGGER2_JSON.replace(r#"["method.request.path.proxy"]"#, "[]");
    let api = load_ok("pets.json", &text);
    assert_eq!(api.name, "Swagger é Pets 🐶");
    assert_eq!(api.kind, ApiKind::Rest);
    let keys: Vec<String> = api.routes.iter().map(|r| r.key.to_string()).collect();
    assert_eq!(keys, ["GET /pets", "ANY /{proxy+}"]);
    let mock = &api.routes[0].integration;
    assert_eq!(mock.passthrough_behavior, PassthroughBehavior::Never);
    assert_eq!(
        mock.responses[0].response_templates["application/json"],
        r#"[{"id": 1}]"#
    );
    let proxy = &api.routes[1].integration;
    assert_eq!(proxy.kind, IntegrationType::HttpProxy);
    assert_eq!(
        proxy.uri.as_deref(),
        Some("http://backend.example.com/{proxy}")
    );
    assert_eq!(
        proxy.request_parameters["integration.request.path.proxy"],
        "method.request.path.proxy"
    );
}

#[test]
fn swagger_2_json_with_cache_key_parameters() {
    let api = load_ok("pets.json", SWAGGER2_JSON);
    assert_eq!(
        api.routes[1].integration.cache_key_parameters,
        ["method.request.path.proxy"]
    );
    // The export's empty cacheNamespace is the resource's own.
    assert_eq!(api.routes[1].cache_namespace, None);
}

pub(super) const HTTP_API_EXPORT: &str = r##"{
  "openapi" : "3.0.1",
  "info" : {
    "title" : "orders-http-api",
    "version" : "2024-05-01 10:00:00UTC"
  },
  "servers" : [ {
    "url" : "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/{basePath}",
    "variables" : { "basePath" : { "default" : "" } }
  } ],
  "paths" : {
    "/orders/{orderId}" : {
      "get" : {
        "responses" : { "default" : { "description" : "Default response for GET /orders/{orderId}" } },
        "x-amazon-apigateway-integration" : {
          "payloadFormatVersion" : "1.0",
          "type" : "http_proxy",
          "httpMethod" : "GET",
          "uri" : "https://orders.example.com/v1/orders/{orderId}",
          "connectionType" : "INTERNET",
          "timeoutInMillis" : 30000
        }
      },
      "parameters" : [ {
        "name" : "orderId", "in" : "path", "description" : "Generated path parameter for orderId",
        "required" : true, "schema" : { "type" : "string" }
      } ]
    },
    "/orders" : {
      "post" : {
        "x-amazon-apigateway-integration" : {
          "$ref" : "#/components/x-amazon-apigateway-integrations/orders"
        }
      }
    },
    "/$default" : {
      "x-amazon-apigateway-any-method" : {
        "isDefaultRoute" : true,
        "x-amazon-apigateway-integration" : {
          "payloadFormatVersion" : "1.0",
          "type" : "http_proxy",
          "httpMethod" : "ANY",
          "uri" : "https://fallback.example.com",
          "connectionType" : "INTERNET"
        }
      }
    }
  },
  "components" : {
    "x-amazon-apigateway-integrations" : {
      "orders" : {
        "type" : "http_proxy", "httpMethod" : "POST", "payloadFormatVersion" : "1.0",
        "uri" : "https://orders.example.com/v1/orders"
      }
    }
  },
  "x-amazon-apigateway-importexport-version" : "1.0"
}"##;

#[test]
fn http_api_export() {
    let api = load_ok("orders.json", HTTP_API_EXPORT);
    assert_eq!(api.kind, ApiKind::Http);
    assert_eq!(api.name, "orders-http-api");
    let keys: Vec<String> = api.routes.iter().map(|r| r.key.to_string()).collect();
    assert_eq!(keys, ["GET /orders/{orderId}", "POST /orders", "$default"]);
    let get = &api.routes[0].integration;
    assert_eq!(get.timeout, Duration::from_millis(30_000));
    assert_eq!(get.http_method, Some(HttpMethod::Get));
    assert_eq!(
        api.routes[1].integration.uri.as_deref(),
        Some("https://orders.example.com/v1/orders")
    );
    let default = &api.routes[2];
    assert_eq!(default.key, RouteKey::Default);
    assert_eq!(
        default.pointer,
        "/paths/~1$default/x-amazon-apigateway-any-method"
    );
    assert_eq!(default.integration.http_method, None);
    assert_eq!(default.integration.timeout, Duration::from_millis(30_000));
}

#[test]
fn http_api_export_with_lambda_payload_2_loads() {
    let text = r#"
openapi: 3.0.1
info: {title: lambda-api}
x-amazon-apigateway-importexport-version: "1.0"
paths:
  /$default:
    x-amazon-apigateway-any-method:
      isDefaultRoute: true
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations
        payloadFormatVersion: "2.0"
"#;
    // A plain OpenAPI document may name Lambda functions: the gateway invokes the local function
    // of that name, else the one in AWS.
    let api = load_ok("lambda.yaml", text);
    let integration = &api.routes[0].integration;
    assert_eq!(integration.kind, IntegrationType::AwsProxy);
    assert_eq!(
        integration.lambda_function_arn(),
        Some("arn:aws:lambda:us-east-1:123456789012:function:f")
    );
    assert_eq!(
        integration.payload_format_version,
        crate::api::PayloadFormatVersion::V2
    );
}
