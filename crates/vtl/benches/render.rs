//! Render time of a typical 30-line request mapping template.

use criterion::{criterion_group, criterion_main, Criterion};
use turnpike_vtl::{Scope, Template};

const TEMPLATE: &str = r##"#set($body = $input.path('$'))
#set($allParams = $input.params())
{
  "requestId": "$context.requestId",
  "stage": "$context.stage",
  "sourceIp": "$context.identity.sourceIp",
  "user": "$util.escapeJavaScript($body.user.name)",
  "email": "$body.user.email.toLowerCase()",
  "items": [
#foreach($item in $body.items)
    {
      "sku": "$item.sku",
      "quantity": $item.qty,
      "total": #set($total = $item.qty * $item.price)$total
    }#if($foreach.hasNext),#end
#end
  ],
  "params": {
#foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type": {
#foreach($name in $params.keySet())
      "$name": "$util.escapeJavaScript($params.get($name))"#if($foreach.hasNext),#end
#end
    }#if($foreach.hasNext),#end
#end
  },
  "raw": $input.json('$.items')
}
"##;

const BODY: &str = r#"{"user": {"name": "Ann O'Neil", "email": "ANN@EXAMPLE.COM"},
 "items": [{"sku": "a-1", "qty": 2, "price": 350}, {"sku": "b-2", "qty": 1, "price": 1299},
           {"sku": "c-3", "qty": 5, "price": 99}]}"#;

fn render(c: &mut Criterion) {
    let template = Template::compile(TEMPLATE).unwrap_or_else(|e| panic!("{e}"));
    let mut context = serde_json::Map::new();
    context.insert(
        "requestId".into(),
        "c6af9ac6-7b61-11e6-9a41-93e8deadbeef".into(),
    );
    context.insert("stage".into(), "prod".into());
    context.insert(
        "identity".into(),
        serde_json::json!({"sourceIp": "192.0.2.1"}),
    );
    c.bench_function("render_request_template", |b| {
        b.iter(|| {
            let scope = Scope::new(BODY)
                .path_params([("id", "42")])
                .querystring_params([("verbose", "true")])
                .header_params([("Accept", "application/json"), ("User-Agent", "curl/8.0")])
                .context(context.clone());
            template.render(&scope)
        })
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
