//! The AWS developer guide's mapping-template examples.

use serde_json::json;

use super::render_with;
use crate::Scope;

/// "Examples using variables for mapping template transformations", example 1.
#[test]
fn context_variables_example() {
    let template = r#"{
    "stage" : "$context.stage",
    "request_id" : "$context.requestId",
    "api_id" : "$context.apiId",
    "resource_path" : "$context.resourcePath",
    "resource_id" : "$context.resourceId",
    "http_method" : "$context.httpMethod",
    "source_ip" : "$context.identity.sourceIp",
    "user-agent" : "$context.identity.userAgent",
    "account_id" : "$context.identity.accountId",
    "api_key" : "$context.identity.apiKey",
    "caller" : "$context.identity.caller",
    "user" : "$context.identity.user",
    "user_arn" : "$context.identity.userArn"
}"#;
    let context = json!({
        "stage": "prod", "requestId": "abcdefg-000-000-0000-abcdefg", "apiId": "abcd1234", "resourcePath": "/",
        "resourceId": "efg567", "httpMethod": "GET",
        "identity": {"sourceIp": "192.0.2.1", "userAgent": "curl/7.84.0", "accountId": "111122223333",
                     "apiKey": "MyTestKey", "caller": "ABCD-0000-12345", "user": "ABCD-0000-12345",
                     "userArn": "arn:aws:sts::111122223333:assumed-role/Admin/carlos-salazar"}
    });
    let scope = Scope::new("").context(context.as_object().cloned().unwrap_or_default());
    assert_eq!(
        render_with(template, &scope),
        r#"{
    "stage" : "prod",
    "request_id" : "abcdefg-000-000-0000-abcdefg",
    "api_id" : "abcd1234",
    "resource_path" : "/",
    "resource_id" : "efg567",
    "http_method" : "GET",
    "source_ip" : "192.0.2.1",
    "user-agent" : "curl/7.84.0",
    "account_id" : "111122223333",
    "api_key" : "MyTestKey",
    "caller" : "ABCD-0000-12345",
    "user" : "ABCD-0000-12345",
    "user_arn" : "arn:aws:sts::111122223333:assumed-role/Admin/carlos-salazar"
}"#
    );
}

/// Example 2: pass all request parameters through a JSON payload.
#[test]
fn all_parameters_example() {
    let template = r#"#set($allParams = $input.params())
{
  "params" : {
    #foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type" : {
      #foreach($paramName in $params.keySet())
      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
      #if($foreach.hasNext),#end
      #end
    }
    #if($foreach.hasNext),#end
    #end
  }
}"#;
    let scope = Scope::new("")
        .path_params([("id", "7")])
        .querystring_params([("q", "it's")])
        .header_params([("Accept", "*/*"), ("Host", "example.com")]);
    // Checked against Apache Velocity 1.7 with the parameters as a map literal: `#set` lines
    // lose their indentation after a directive line, and `#end` eats the line break after `,`.
    let expected = "{\n  \"params\" : {\n        \"path\" : {\n            \"id\" : \"7\"\n                }\n    ,        \
\"querystring\" : {\n            \"q\" : \"it\\'s\"\n                }\n    ,        \"header\" : {\n            \
\"Accept\" : \"*\\/*\"\n      ,            \"Host\" : \"example.com\"\n                }\n          }\n}";
    assert_eq!(render_with(template, &scope), expected);
}

/// The photo album example: integration request template over the photos input model.
#[test]
fn photo_album_example() {
    let body = r#"{
  "photos": {
    "page": 1, "pages": "1234", "perpage": 100, "total": "123398",
    "photo": [
      {"id": "12345678901", "owner": "23456789@A12", "photographer_first_name": "Saanvi",
       "photographer_last_name": "Sarkar", "secret": "abc123d456", "server": "1234", "farm": 1,
       "title": "Sample photo 1", "ispublic": true, "isfriend": false, "isfamily": false},
      {"id": "23456789012", "owner": "34567890@B23", "photographer_first_name": "Richard",
       "photographer_last_name": "Roe", "secret": "bcd234e567", "server": "2345", "farm": 2,
       "title": "Sample photo 2", "ispublic": true, "isfriend": false, "isfamily": false}
    ]
  }
}"#;
    let template = "#set($inputRoot = $input.path('$'))
{
  \"photos\": [
#foreach($elem in $inputRoot.photos.photo)
    {
      \"id\": \"$elem.id\",
      \"photographedBy\": \"$elem.photographer_first_name $elem.photographer_last_name\",
      \"title\": \"$elem.title\",
      \"ispublic\": $elem.ispublic,
      \"isfriend\": $elem.isfriend,
      \"isfamily\": $elem.isfamily
    }#if($foreach.hasNext),#end
\t\t
#end
  ]
}";
    // The same template, with the body as a Velocity map literal, renders byte-identically in
    // Apache Velocity 1.7 (checked with tests/differential/Render.java).
    let expected = "{\n  \"photos\": [\n    {\n      \"id\": \"12345678901\",\n      \"photographedBy\": \"Saanvi Sarkar\",\n      \
\"title\": \"Sample photo 1\",\n      \"ispublic\": true,\n      \"isfriend\": false,\n      \"isfamily\": false\n    },\t\t\n    {\n      \
\"id\": \"23456789012\",\n      \"photographedBy\": \"Richard Roe\",\n      \"title\": \"Sample photo 2\",\n      \"ispublic\": true,\n      \
\"isfriend\": false,\n      \"isfamily\": false\n    }\t\t\n  ]\n}";
    assert_eq!(render_with(template, &Scope::new(body)), expected);
}

/// The PetStore integration response template from the getting-started tutorial.
#[test]
fn pet_store_example() {
    let body = r#"[{"id": 1, "type": "dog", "price": 249.99}, {"id": 2, "type": "cat", "price": 124.99}, {"id": 3, "type": "fish", "price": 0.99}]"#;
    let template = "#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot)
  {
    \"description\" : \"Item $elem.id is a $elem.type.\",
    \"askingPrice\" : $elem.price
  }#if($foreach.hasNext),#end

#end
]";
    let expected = "[\n  {\n    \"description\" : \"Item 1 is a dog.\",\n    \"askingPrice\" : 249.99\n  },\n  {\n    \
\"description\" : \"Item 2 is a cat.\",\n    \"askingPrice\" : 124.99\n  },\n  {\n    \"description\" : \"Item 3 is a fish.\",\n    \
\"askingPrice\" : 0.99\n  }\n]";
    assert_eq!(render_with(template, &Scope::new(body)), expected);
}

/// The mapping-template reference's `$input` example: keys of an object iterated with keySet.
#[test]
fn input_path_key_set_example() {
    let body = r#"{"things": {"1": {}, "2": {}, "3": {}}}"#;
    let template = r##"#set($map = $input.path('$.things'))
{
#foreach($key in $map.keySet())
  "$key": "$map.get($key)"#if($foreach.hasNext),#end
#end
}"##;
    assert_eq!(
        render_with(template, &Scope::new(body)),
        "{\n  \"1\": \"{}\",  \"2\": \"{}\",  \"3\": \"{}\"}"
    );
}
