use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::*;
use crate::test_support::RedisCluster;
use crate::{NewApiKey, NewUsagePlan, Quota, QuotaPeriod};

async fn cluster_node(cluster: &RedisCluster) -> State {
    let mut config = RedisConfig::new(String::new());
    config.urls = cluster.urls();
    config.op_timeout = std::time::Duration::from_secs(5);
    State::redis(&config).await.unwrap()
}

/// Two gateways on a three-master cluster share buckets and quotas (keys spread over slots) and
/// manage keys and plans (all in the `{admin}` slot, so the multi-key updates work).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_share_limits_on_a_redis_cluster() {
    let cluster = RedisCluster::start();
    let nodes = [cluster_node(&cluster).await, cluster_node(&cluster).await];
    let quota = Quota {
        limit: 60,
        period: QuotaPeriod::Day,
        offset: 0,
    };
    let old = crate::from_unix_secs(1_700_000_000);
    let (taken, counted) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let state = nodes[i % 2].clone();
        let (taken, counted) = (Arc::clone(&taken), Arc::clone(&counted));
        tasks.push(tokio::spawn(async move {
            for j in 0..30 {
                // Several keys, so several slots and masters are involved.
                let key = format!("key-{}", j % 3);
                if state.take(&key, 10.0, 20, noon()).await.allowed {
                    taken.fetch_add(1, Ordering::Relaxed);
                }
                if state.consume(&key, &quota, old, noon()).await.allowed {
                    counted.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(taken.load(Ordering::Relaxed), 3 * 20);
    assert_eq!(counted.load(Ordering::Relaxed), 3 * 60);

    let key = nodes[0]
        .create_api_key(NewApiKey {
            name: "k".into(),
            value: None,
            enabled: true,
        })
        .await
        .unwrap();
    let plan = nodes[1]
        .create_usage_plan(NewUsagePlan {
            name: "p".into(),
            ..NewUsagePlan::default()
        })
        .await
        .unwrap();
    nodes[1]
        .add_usage_plan_key(&plan.id, &key.key.id)
        .await
        .unwrap();
    let found = nodes[1]
        .api_key_by_value(&key.value)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.usage_plan_ids, vec![plan.id.clone()]);
    nodes[0].delete_usage_plan(&plan.id).await.unwrap();
    let found = nodes[1].get_api_key(&key.key.id).await.unwrap().unwrap();
    assert!(found.usage_plan_ids.is_empty());
}
