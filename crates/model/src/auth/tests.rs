use super::*;
use serde_json::json;

#[test]
fn identity_sources_parse_in_both_spellings() {
    let p = IdentitySource::parse;
    assert_eq!(
        p("method.request.header.Auth"),
        Some(IdentitySource::Header("Auth".into()))
    );
    assert_eq!(
        p("$request.header.Authorization"),
        Some(IdentitySource::Header("Authorization".into()))
    );
    assert_eq!(
        p(" method.request.querystring.q "),
        Some(IdentitySource::QueryString("q".into()))
    );
    assert_eq!(
        p("$stageVariables.v"),
        Some(IdentitySource::StageVariable("v".into()))
    );
    assert_eq!(
        p("context.requestId"),
        Some(IdentitySource::Context("requestId".into()))
    );
    assert_eq!(p("method.request.header."), None);
    assert_eq!(p("method.request.path.id"), None);
    assert_eq!(
        IdentitySource::Header("Auth".into()).to_string(),
        "method.request.header.Auth"
    );
}

#[test]
fn policies_read_strings_lists_and_conditions() {
    let doc = PolicyDocument::from_json(&json!({
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Deny",
            "Principal": "*",
            "NotAction": "execute-api:Invoke",
            "Resource": ["execute-api:/*", "arn:aws:execute-api:*:*:*/GET/*"],
            "Condition": {"NotIpAddress": {"aws:sourceip": ["10.0.0.0/8", "::1"]}}
        }
    }))
    .unwrap();
    let s = &doc.statements[0];
    assert_eq!(s.effect, Effect::Deny);
    assert!(s.not_action && !s.not_resource);
    assert_eq!(s.actions, ["execute-api:Invoke"]);
    assert_eq!(s.resources.len(), 2);
    assert_eq!(s.principals.as_deref(), Some(&["*".to_string()][..]));
    assert_eq!(
        s.conditions,
        [PolicyCondition {
            operator: ConditionOperator::NotIpAddress,
            key: ConditionKey::SourceIp,
            values: vec!["10.0.0.0/8".into(), "::1".into()],
        }]
    );
}

#[test]
fn policies_refuse_what_cannot_be_evaluated() {
    let err = |v: serde_json::Value| PolicyDocument::from_json(&v).unwrap_err();
    let base = |extra: serde_json::Value| {
        let mut s = json!({"Effect": "Allow", "Action": "*", "Resource": "*"});
        for (k, v) in extra.as_object().unwrap() {
            s[k] = v.clone();
        }
        json!({"Statement": [s]})
    };
    assert_eq!(
        err(base(json!({"Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}))),
        PolicyError {
            pointer: "/Statement/0/Condition/StringEquals/aws:SourceVpce".into(),
            message: "condition key aws:SourceVpce is not supported by Turnpike; expected aws:SourceIp, aws:Referer or aws:UserAgent".into(),
        }
    );
    assert_eq!(
        err(base(
            json!({"Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}})
        ))
        .message,
        "\"10.0.0.0/33\" is not an IP address or CIDR block"
    );
    assert_eq!(
        err(base(
            json!({"Condition": {"DateGreaterThan": {"aws:CurrentTime": "x"}}})
        ))
        .pointer,
        "/Statement/0/Condition/DateGreaterThan"
    );
    assert_eq!(
        err(base(json!({"Effect": "allow"}))).message,
        "Effect must be \"Allow\" or \"Deny\""
    );
    assert_eq!(
        err(json!({"Statement": [{"Effect": "Allow", "Resource": "*"}]})).message,
        "a statement needs Action (or NotAction)"
    );
    assert_eq!(
        err(base(json!({"NotResource": "x"}))).message,
        "a statement has Resource or NotResource, not both"
    );
}

#[test]
fn cidr_blocks_contain_their_addresses() {
    let c = |s| Cidr::parse(s).unwrap();
    assert!(c("192.0.2.0/24").contains("192.0.2.77".parse().unwrap()));
    assert!(!c("192.0.2.0/24").contains("192.0.3.1".parse().unwrap()));
    assert!(c("0.0.0.0/0").contains("8.8.8.8".parse().unwrap()));
    assert!(c("127.0.0.1").contains("::ffff:127.0.0.1".parse().unwrap()));
    assert!(c("2001:db8::/32").contains("2001:db8:1::5".parse().unwrap()));
    assert!(!c("2001:db8::/32").contains("127.0.0.1".parse().unwrap()));
    assert_eq!(Cidr::parse("1.2.3.4/40"), None);
    assert_eq!(Cidr::parse("nope"), None);
}
