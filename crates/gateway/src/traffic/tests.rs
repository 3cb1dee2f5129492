use std::sync::Arc;

use turnpike_state::test_support::TempDir;
use turnpike_state::{EmbeddedConfig, NewApiKey, State};

use super::keys::StateKeys;
use super::records::{hex, Records};
use crate::authorize::api_key::{hash_key, ApiKeyLookup, ApiKeyRecord};

#[test]
fn hex_matches_the_state_hash_form() {
    let hash = hash_key("some-api-key-value-0123456789");
    assert_eq!(
        hex(&hash),
        turnpike_state::hash_value("some-api-key-value-0123456789")
    );
}

fn new_key(name: &str, value: &str, enabled: bool) -> NewApiKey {
    NewApiKey {
        name: name.into(),
        value: Some(value.into()),
        enabled,
    }
}

#[tokio::test]
async fn state_keys_find_keys_by_hash_and_never_remember_a_miss() {
    let dir = TempDir::new("gateway-keys");
    let state = State::embedded(&EmbeddedConfig::new(dir.path())).unwrap();
    let keys = StateKeys {
        records: Arc::new(Records::new(state.clone())),
    };
    let value = "alice-key-value-0123456789";
    assert_eq!(keys.lookup(hash_key(value)).await, None);

    let created = state
        .create_api_key(new_key("alice", value, true))
        .await
        .unwrap();
    assert_eq!(
        keys.lookup(hash_key(value)).await,
        Some(Arc::new(ApiKeyRecord {
            id: created.key.id.clone(),
            name: "alice".into(),
            enabled: true,
            usage_plan_ids: Vec::new(),
        }))
    );
    // Remembered: the same record, not a new read.
    let first = keys.lookup(hash_key(value)).await.unwrap();
    let second = keys.lookup(hash_key(value)).await.unwrap();
    assert!(Arc::ptr_eq(&first, &second));
    let disabled = "bob-key-value-0123456789ab";
    state
        .create_api_key(new_key("bob", disabled, false))
        .await
        .unwrap();
    assert_eq!(
        keys.lookup(hash_key(disabled)).await.map(|r| r.enabled),
        Some(false)
    );
}
