use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Map};
use turnpike_model::PolicyDocument;

use crate::authorize::cache::AuthorizerCache;
use crate::authorize::lambda::Answer;
use crate::authorize::policy::{evaluate, Caller, Decision};

fn answer(resource: &str) -> Arc<Answer> {
    Arc::new(Answer::Policy {
        principal_id: Some("user".into()),
        policy: PolicyDocument::from_json(&json!({"Statement": [
            {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": resource}
        ]}))
        .unwrap(),
        context: Map::new(),
        usage_identifier_key: None,
    })
}

fn key(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_string()).collect()
}

#[test]
fn answers_are_kept_for_the_ttl_by_identity_values() {
    let cache = AuthorizerCache::default();
    let t0 = Instant::now();
    cache.put(
        key(&["tok-a"]),
        answer("arn:a"),
        Duration::from_secs(300),
        t0,
    );
    assert!(cache.get(&key(&["tok-a"]), t0).is_some());
    assert!(cache
        .get(&key(&["tok-a"]), t0 + Duration::from_secs(299))
        .is_some());
    assert!(cache
        .get(&key(&["tok-a"]), t0 + Duration::from_secs(300))
        .is_none());
    // Another token, or the same values from other sources in another order, miss.
    assert!(cache.get(&key(&["tok-b"]), t0).is_none());
    cache.put(
        key(&["h", "q"]),
        answer("arn:b"),
        Duration::from_secs(60),
        t0,
    );
    assert!(cache.get(&key(&["h", "q"]), t0).is_some());
    assert!(cache.get(&key(&["q", "h"]), t0).is_none());
    assert!(cache.get(&key(&["h"]), t0).is_none());
}

#[test]
fn a_zero_ttl_caches_nothing() {
    let cache = AuthorizerCache::default();
    cache.put(key(&["t"]), answer("arn:a"), Duration::ZERO, Instant::now());
    assert_eq!(cache.len(), 0);
}

#[test]
fn a_cached_policy_is_evaluated_against_each_method_arn() {
    let cache = AuthorizerCache::default();
    let now = Instant::now();
    cache.put(
        key(&["t"]),
        answer("arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/pets"),
        Duration::from_secs(300),
        now,
    );
    let cached = cache.get(&key(&["t"]), now).unwrap();
    let Answer::Policy { policy, .. } = &*cached else {
        panic!("policy answer")
    };
    let decide = |arn| evaluate(policy, arn, &Caller::default());
    assert_eq!(
        decide("arn:aws:execute-api:us-east-1:123456789012:api/dev/GET/pets"),
        Decision::Allow
    );
    assert_eq!(
        decide("arn:aws:execute-api:us-east-1:123456789012:api/dev/DELETE/pets"),
        Decision::ImplicitDeny
    );
}
