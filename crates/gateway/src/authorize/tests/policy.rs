use serde_json::json;
use turnpike_model::PolicyDocument;

use crate::authorize::policy::{evaluate, wildcard_match, Caller, Decision};

const ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/7";

fn doc(statements: serde_json::Value) -> PolicyDocument {
    PolicyDocument::from_json(&json!({"Version": "2012-10-17", "Statement": statements})).unwrap()
}

fn allow(resource: serde_json::Value) -> serde_json::Value {
    json!({"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": resource})
}

fn deny(resource: serde_json::Value) -> serde_json::Value {
    json!({"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": resource})
}

fn decide(statements: serde_json::Value, arn: &str) -> Decision {
    evaluate(&doc(statements), arn, &Caller::default())
}

#[test]
fn wildcards_match_runs_and_single_characters() {
    assert!(wildcard_match("*", ""));
    assert!(wildcard_match("a*c", "abbbc"));
    assert!(wildcard_match("a*c", "ac"));
    assert!(!wildcard_match("a*c", "acb"));
    assert!(wildcard_match("a?c", "abc"));
    assert!(!wildcard_match("a?c", "ac"));
    assert!(wildcard_match("*/GET/*", "x:y/dev/GET/a/b"));
    assert!(wildcard_match("a*b*c", "aXbYbZc"));
    assert!(!wildcard_match("abc", "abcd"));
    assert!(!wildcard_match("abc?", "abc"));
    // `?` is one character, also when it takes several bytes.
    assert!(wildcard_match("/pets/?", "/pets/é"));
    assert!(!wildcard_match("/pets/?", "/pets/éé"));
}

#[test]
fn allows_match_the_method_arn_exactly_or_by_wildcard() {
    assert_eq!(decide(json!([allow(json!(ARN))]), ARN), Decision::Allow);
    assert_eq!(
        decide(
            json!([allow(json!(
                "arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/*"
            ))]),
            ARN
        ),
        Decision::Allow
    );
    assert_eq!(
        decide(
            json!([allow(json!(
                "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/?"
            ))]),
            ARN
        ),
        Decision::Allow
    );
    assert_eq!(
        decide(
            json!([allow(json!(["arn:nope", "arn:aws:execute-api:*"]))]),
            ARN
        ),
        Decision::Allow
    );
    // Another method, path or stage is not allowed: an implicit deny.
    for other in [
        "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/POST/pets/7",
        "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/77",
        "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/7",
        "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/get/pets/7",
    ] {
        assert_eq!(
            decide(json!([allow(json!(ARN))]), other),
            Decision::ImplicitDeny,
            "{other}"
        );
    }
}

#[test]
fn an_explicit_deny_wins_over_any_allow() {
    let statements = json!([
        allow(json!("*")),
        deny(json!("arn:aws:execute-api:*:*:*/*/GET/pets/*")),
        allow(json!(ARN))
    ]);
    assert_eq!(decide(statements.clone(), ARN), Decision::ExplicitDeny);
    assert_eq!(
        decide(
            statements,
            "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/POST/pets/7"
        ),
        Decision::Allow
    );
    assert_eq!(
        decide(json!([deny(json!("arn:other"))]), ARN),
        Decision::ImplicitDeny
    );
    assert_eq!(decide(json!([]), ARN), Decision::ImplicitDeny);
}

#[test]
fn actions_are_matched_ignoring_case_and_not_forms_invert() {
    let with_action =
        |action: serde_json::Value| json!([{"Effect": "Allow", "Action": action, "Resource": "*"}]);
    assert_eq!(
        decide(with_action(json!("execute-api:*")), ARN),
        Decision::Allow
    );
    assert_eq!(decide(with_action(json!("*")), ARN), Decision::Allow);
    assert_eq!(
        decide(with_action(json!("Execute-API:invoke")), ARN),
        Decision::Allow
    );
    assert_eq!(
        decide(with_action(json!("execute-api:ManageConnections")), ARN),
        Decision::ImplicitDeny
    );
    let not_action =
        json!([{"Effect": "Allow", "NotAction": "execute-api:ManageConnections", "Resource": "*"}]);
    assert_eq!(decide(not_action, ARN), Decision::Allow);
    let not_resource =
        json!([{"Effect": "Deny", "Action": "*", "NotResource": ARN}, allow(json!("*"))]);
    assert_eq!(decide(not_resource.clone(), ARN), Decision::Allow);
    assert_eq!(
        decide(
            not_resource,
            "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/other"
        ),
        Decision::ExplicitDeny
    );
}

#[test]
fn conditions_on_source_ip_referer_and_user_agent() {
    let policy = doc(json!([
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8"]}, "StringLike": {"aws:Referer": "https://*.example.com/*"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*",
         "Condition": {"StringEquals": {"aws:UserAgent": "bad-bot"}}}
    ]));
    let caller = |ip: &str, referer: Option<&'static str>, agent: Option<&'static str>| Caller {
        source_ip: Some(ip.parse().unwrap()),
        referer,
        user_agent: agent,
        iam: None,
    };
    let ok = Some("https://www.example.com/page");
    assert_eq!(
        evaluate(&policy, ARN, &caller("10.1.2.3", ok, None)),
        Decision::Allow
    );
    assert_eq!(
        evaluate(&policy, ARN, &caller("11.1.2.3", ok, None)),
        Decision::ImplicitDeny
    );
    assert_eq!(
        evaluate(
            &policy,
            ARN,
            &caller("10.1.2.3", Some("https://evil.com/"), None)
        ),
        Decision::ImplicitDeny
    );
    // A condition on a header the request lacks does not hold.
    assert_eq!(
        evaluate(&policy, ARN, &caller("10.1.2.3", None, None)),
        Decision::ImplicitDeny
    );
    assert_eq!(
        evaluate(&policy, ARN, &caller("10.1.2.3", ok, Some("bad-bot"))),
        Decision::ExplicitDeny
    );
    let not_ip = doc(
        json!([{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*",
        "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]),
    );
    assert_eq!(
        evaluate(&not_ip, ARN, &caller("192.0.2.9", None, None)),
        Decision::ImplicitDeny
    );
    assert_eq!(
        evaluate(&not_ip, ARN, &caller("192.0.3.9", None, None)),
        Decision::ExplicitDeny
    );
}

#[test]
fn aws_principals_match_iam_callers_only() {
    let policy = doc(
        json!([{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/alice"},
        "Action": "execute-api:Invoke", "Resource": "*"}]),
    );
    assert_eq!(
        evaluate(&policy, ARN, &Caller::default()),
        Decision::ImplicitDeny
    );
    let alice = Caller {
        iam: Some(("arn:aws:iam::123456789012:user/alice", "123456789012")),
        ..Caller::default()
    };
    assert_eq!(evaluate(&policy, ARN, &alice), Decision::Allow);
    let bob = Caller {
        iam: Some(("arn:aws:iam::123456789012:user/bob", "123456789012")),
        ..Caller::default()
    };
    assert_eq!(evaluate(&policy, ARN, &bob), Decision::ImplicitDeny);
}
