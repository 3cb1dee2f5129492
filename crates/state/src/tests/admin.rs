use std::collections::BTreeMap;

use super::*;
use crate::{
    ApiStage, NewApiKey, NewUsagePlan, Quota, QuotaPeriod, StateError, Throttle, UsagePlan,
};

fn new_key(name: &str, value: Option<&str>) -> NewApiKey {
    NewApiKey {
        name: name.into(),
        value: value.map(Into::into),
        enabled: true,
    }
}

fn new_plan(name: &str) -> NewUsagePlan {
    NewUsagePlan {
        name: name.into(),
        description: Some("gold tier".into()),
        api_stages: vec![ApiStage {
            api_id: "abc123".into(),
            stage: "prod".into(),
            throttle: BTreeMap::from([(
                "/pets/GET".to_string(),
                Throttle {
                    rate_limit: 5.0,
                    burst_limit: 2,
                },
            )]),
        }],
        throttle: Some(Throttle {
            rate_limit: 100.0,
            burst_limit: 50,
        }),
        quota: Some(Quota {
            limit: 1000,
            period: QuotaPeriod::Month,
            offset: 0,
        }),
    }
}

async fn keys_and_plans(state: &State) {
    let generated = state.create_api_key(new_key("alice", None)).await.unwrap();
    assert_eq!(generated.value.len(), 40);
    assert_eq!(generated.key.value_prefix, &generated.value[..5]);
    assert_eq!(
        generated.key.value_hash,
        crate::hash_value(&generated.value)
    );
    assert!(generated.key.enabled);

    let given = "bob-key-0123456789abcdef";
    let bob = state
        .create_api_key(new_key("bob", Some(given)))
        .await
        .unwrap();
    assert_eq!(bob.value, given);

    let short = state
        .create_api_key(new_key("eve", Some("too-short")))
        .await;
    assert!(matches!(short, Err(StateError::BadRequest(_))), "{short:?}");
    let dup = state.create_api_key(new_key("bob2", Some(given))).await;
    assert!(matches!(dup, Err(StateError::Conflict(_))), "{dup:?}");

    let found = state.api_key_by_value(given).await.unwrap().unwrap();
    assert_eq!(found, bob.key);
    assert_eq!(
        state
            .api_key_by_value("nope-nope-nope-nope-nope")
            .await
            .unwrap(),
        None
    );
    let names: Vec<String> = state
        .list_api_keys()
        .await
        .unwrap()
        .into_iter()
        .map(|k| k.name)
        .collect();
    assert_eq!(names, ["alice", "bob"]);

    let plan = state.create_usage_plan(new_plan("gold")).await.unwrap();
    assert_eq!(plan.id.len(), 10);
    state
        .add_usage_plan_key(&plan.id, &bob.key.id)
        .await
        .unwrap();
    state
        .add_usage_plan_key(&plan.id, &bob.key.id)
        .await
        .unwrap();
    state
        .add_usage_plan_key(&plan.id, &generated.key.id)
        .await
        .unwrap();
    let stored = state.get_usage_plan(&plan.id).await.unwrap().unwrap();
    let mut both = vec![bob.key.id.clone(), generated.key.id.clone()];
    both.sort();
    assert_eq!(
        stored,
        UsagePlan {
            key_ids: both,
            ..plan.clone()
        }
    );
    let bob_now = state.get_api_key(&bob.key.id).await.unwrap().unwrap();
    assert_eq!(bob_now.usage_plan_ids, vec![plan.id.clone()]);

    let missing = state.add_usage_plan_key(&plan.id, "nokey00000").await;
    assert_eq!(
        missing.unwrap_err().to_string(),
        "Invalid API Key identifier specified: nokey00000"
    );
    let missing = state.add_usage_plan_key("noplan0000", &bob.key.id).await;
    assert_eq!(
        missing.unwrap_err().to_string(),
        "Invalid Usage Plan ID specified: noplan0000"
    );

    state
        .remove_usage_plan_key(&plan.id, &bob.key.id)
        .await
        .unwrap();
    assert!(state
        .remove_usage_plan_key(&plan.id, &bob.key.id)
        .await
        .is_err());
    let bob_now = state.get_api_key(&bob.key.id).await.unwrap().unwrap();
    assert!(bob_now.usage_plan_ids.is_empty());

    // Deleting a key takes it out of its plans; deleting a plan takes it off its keys.
    state.delete_api_key(&generated.key.id).await.unwrap();
    assert!(state
        .get_usage_plan(&plan.id)
        .await
        .unwrap()
        .unwrap()
        .key_ids
        .is_empty());
    assert_eq!(
        state.api_key_by_value(&generated.value).await.unwrap(),
        None
    );
    assert!(matches!(
        state.delete_api_key(&generated.key.id).await,
        Err(StateError::NotFound(_))
    ));
    state
        .add_usage_plan_key(&plan.id, &bob.key.id)
        .await
        .unwrap();
    state.delete_usage_plan(&plan.id).await.unwrap();
    assert!(state.list_usage_plans().await.unwrap().is_empty());
    let bob_now = state.get_api_key(&bob.key.id).await.unwrap().unwrap();
    assert!(bob_now.usage_plan_ids.is_empty());
}

async fn seeding_is_idempotent(state: &State) {
    let (first, value) = state
        .seed_api_key(new_key("deploy-key", None))
        .await
        .unwrap();
    assert!(value.is_some());
    let (again, value) = state
        .seed_api_key(new_key("deploy-key", None))
        .await
        .unwrap();
    assert_eq!((again, value), (first.clone(), None));
    let fixed = "fixed-value-0123456789";
    let (changed, _) = state
        .seed_api_key(new_key("deploy-key", Some(fixed)))
        .await
        .unwrap();
    assert_eq!(changed.id, first.id);
    assert_eq!(
        state.api_key_by_value(fixed).await.unwrap().unwrap().id,
        first.id
    );

    let plan = state.seed_usage_plan(new_plan("seeded")).await.unwrap();
    state.add_usage_plan_key(&plan.id, &first.id).await.unwrap();
    let mut edited = new_plan("seeded");
    edited.throttle = Some(Throttle {
        rate_limit: 1.0,
        burst_limit: 1,
    });
    let replanned = state.seed_usage_plan(edited).await.unwrap();
    assert_eq!(replanned.id, plan.id);
    assert_eq!(replanned.key_ids, vec![first.id.clone()]);
    assert_eq!(state.list_usage_plans().await.unwrap(), [replanned]);
    assert_eq!(state.list_api_keys().await.unwrap().len(), 1);
}

#[tokio::test]
async fn embedded_keys_and_plans() {
    let dir = TempDir::new("admin");
    keys_and_plans(&embedded(&dir)).await;
}

#[tokio::test]
async fn redis_keys_and_plans() {
    let server = RedisServer::start();
    keys_and_plans(&redis(&server).await).await;
}

#[tokio::test]
async fn embedded_seeding_is_idempotent() {
    let dir = TempDir::new("seed");
    seeding_is_idempotent(&embedded(&dir)).await;
}

#[tokio::test]
async fn redis_seeding_is_idempotent() {
    let server = RedisServer::start();
    seeding_is_idempotent(&redis(&server).await).await;
}

#[tokio::test]
async fn redis_keys_are_visible_to_every_node() {
    let server = RedisServer::start();
    let (a, b) = (redis(&server).await, redis(&server).await);
    let created = a.create_api_key(new_key("shared", None)).await.unwrap();
    assert_eq!(
        b.api_key_by_value(&created.value).await.unwrap(),
        Some(created.key)
    );
}

#[tokio::test]
async fn plain_values_never_reach_the_database_file() {
    let dir = TempDir::new("hashing");
    let value = "PLAINVALUE-visible-if-leaked-0123";
    {
        let state = embedded(&dir);
        let created = state
            .create_api_key(new_key("k", Some(value)))
            .await
            .unwrap();
        state.create_api_key(new_key("g", None)).await.unwrap();
        assert_eq!(created.value, value);
        // A reopened store still finds it by value, through the hash.
        drop(state);
        let state = embedded(&dir);
        assert_eq!(
            state.api_key_by_value(value).await.unwrap().unwrap().id,
            created.key.id
        );
    }
    let bytes = std::fs::read(dir.path().join("state.redb")).unwrap();
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(value.as_bytes()));
    assert!(!contains(b"visible-if-leaked"));
    // The hash is what is there.
    assert!(contains(crate::hash_value(value).as_bytes()));
}

#[tokio::test]
async fn plain_values_never_reach_redis() {
    let server = RedisServer::start();
    let state = redis(&server).await;
    let value = "PLAINVALUE-visible-if-leaked-0123";
    state
        .create_api_key(new_key("k", Some(value)))
        .await
        .unwrap();
    let client = ::redis::Client::open(server.url()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = ::redis::cmd("KEYS")
        .arg("*")
        .query_async(&mut conn)
        .await
        .unwrap();
    let mut everything = keys.join("\n");
    for key in &keys {
        let kind: String = ::redis::cmd("TYPE")
            .arg(key)
            .query_async(&mut conn)
            .await
            .unwrap();
        let dump: Vec<String> = match kind.as_str() {
            "hash" => ::redis::cmd("HVALS")
                .arg(key)
                .query_async(&mut conn)
                .await
                .unwrap(),
            "set" => ::redis::cmd("SMEMBERS")
                .arg(key)
                .query_async(&mut conn)
                .await
                .unwrap(),
            _ => vec![::redis::cmd("GET")
                .arg(key)
                .query_async(&mut conn)
                .await
                .unwrap()],
        };
        everything.push_str(&dump.join("\n"));
    }
    assert!(!everything.contains("visible-if-leaked"));
    assert!(everything.contains(&crate::hash_value(value)));
}
