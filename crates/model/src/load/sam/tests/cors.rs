//! `Cors` and `CorsConfiguration`, written into the API's document as SAM writes them.

use super::*;
use crate::cors::Cors;

const TEMPLATE: &str = r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: dev
      Cors:
        AllowOrigin: "'https://app.example.com'"
        AllowHeaders: "'content-type'"
        MaxAge: "'600'"
        AllowCredentials: true
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration:
        AllowOrigins: [https://app.example.com]
        AllowMethods: [GET]
        MaxAge: 300
  Open:
    Type: AWS::Serverless::HttpApi
    Properties:
      CorsConfiguration: true
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: code
      Events:
        Get: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /pets, Method: get}}
        Post: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /pets, Method: post}}
        Any: {Type: Api, Properties: {RestApiId: !Ref Api, Path: /any, Method: any}}
        Http: {Type: HttpApi, Properties: {ApiId: !Ref Http, Path: /pets, Method: get}}
        Open: {Type: HttpApi, Properties: {ApiId: !Ref Open, Path: /pets, Method: get}}
"#;

#[test]
fn rest_cors_adds_an_options_mock_to_every_path() {
    let path = fixture("cors_rest", &["code"]);
    let template = load_ok(&path, TEMPLATE);
    let rest = &template.apis[0];
    let options = |path: &str| {
        rest.routes
            .iter()
            .find(|r| r.key.to_string() == format!("OPTIONS {path}"))
            .unwrap_or_else(|| panic!("no OPTIONS {path}"))
    };
    let pets = &options("/pets").integration;
    assert_eq!(pets.kind, crate::api::IntegrationType::Mock);
    let response = &pets.responses[0];
    assert_eq!(response.status_code, 200);
    let headers: Vec<(&str, &str)> = response
        .response_parameters
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        headers,
        [
            (
                "method.response.header.Access-Control-Allow-Credentials",
                "'true'"
            ),
            (
                "method.response.header.Access-Control-Allow-Headers",
                "'content-type'"
            ),
            (
                "method.response.header.Access-Control-Allow-Methods",
                "'GET,OPTIONS,POST'"
            ),
            (
                "method.response.header.Access-Control-Allow-Origin",
                "'https://app.example.com'"
            ),
            ("method.response.header.Access-Control-Max-Age", "'600'"),
        ]
    );
    let any = &options("/any").integration.responses[0].response_parameters;
    assert_eq!(
        any.get("method.response.header.Access-Control-Allow-Methods")
            .map(String::as_str),
        Some("'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'")
    );
}

#[test]
fn http_cors_configuration_becomes_the_apis_cors() {
    let path = fixture("cors_http", &["code"]);
    let template = load_ok(&path, TEMPLATE);
    assert_eq!(
        template.apis[1].cors,
        Some(Cors {
            allow_origins: vec!["https://app.example.com".into()],
            allow_methods: vec!["GET".into()],
            max_age: Some(300),
            ..Cors::default()
        })
    );
    let star = vec!["*".to_owned()];
    assert_eq!(
        template.apis[2].cors,
        Some(Cors {
            allow_origins: star.clone(),
            allow_methods: star.clone(),
            allow_headers: star,
            ..Cors::default()
        })
    );
}

#[test]
fn cors_mistakes_are_located() {
    let path = fixture("cors_errors", &["code"]);
    let text = TEMPLATE.replace(
        "AllowOrigin: \"'https://app.example.com'\"",
        "Origin: \"'*'\"",
    );
    let errors = load_errors(&path, &text);
    assert_eq!(
        errors.iter().map(|e| (e.0, e.3.as_str())).collect::<Vec<_>>(),
        [
            (7, "Cors needs AllowOrigin, such as \"'https://www.example.com'\" (quoted: it is a mapping expression)"),
            (8, "unknown Cors property \"Origin\"; expected one of AllowOrigin, AllowMethods, AllowHeaders, MaxAge, AllowCredentials"),
        ]
    );
}
