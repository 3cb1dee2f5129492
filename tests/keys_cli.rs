//! `turnpike keys`, `turnpike usage-plans` and `turnpike usage` with the real binary, on the
//! embedded state in a temporary data dir and on a real redis-server.

use crate::support;

use std::process::Output;
use std::time::SystemTime;

use support::turnpike::run;
use support::TempDir;
use turnpike_state::test_support::RedisServer;
use turnpike_state::{from_unix_secs, quota_key, EmbeddedConfig, State};

/// Where the commands keep state: `--data-dir DIR` or `--redis URL`.
struct Store(Vec<String>);

impl Store {
    fn run(&self, args: &[&str]) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(self.0.iter().map(String::as_str));
        run(&all)
    }

    /// Runs a command that must succeed; returns its stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

/// `field: value` from `create` output.
fn field<'a>(stdout: &'a str, name: &str) -> &'a str {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} in {stdout:?}"))
}

/// Table rows split on runs of two or more spaces.
fn rows(stdout: &str) -> Vec<Vec<String>> {
    stdout
        .lines()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(String::from)
                .collect()
        })
        .collect()
}

fn today() -> String {
    let secs = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let t = time::OffsetDateTime::from_unix_timestamp(secs as i64).unwrap();
    format!("{}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

const VALUE: &str = "cli-given-value-0123456789";

/// The whole flow; returns (key id, plan id) for back-end specific follow-ups.
fn keys_and_plans(store: &Store) -> (String, String) {
    let given = store.ok(&["keys", "create", "--name", "alice", "--value", VALUE]);
    let alice = field(&given, "id").to_string();
    assert_eq!(alice.len(), 10);
    assert_eq!(field(&given, "value"), VALUE);
    assert_eq!(field(&given, "enabled"), "true");

    let generated = store.ok(&["keys", "create", "--name", "bob", "--disabled"]);
    let bob = field(&generated, "id").to_string();
    let bob_value = field(&generated, "value").to_string();
    assert_eq!(bob_value.len(), 40);
    assert_eq!(field(&generated, "enabled"), "false");

    let short = store.run(&["keys", "create", "--name", "eve", "--value", "short"]);
    assert_eq!(short.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&short.stderr),
        "turnpike: error: API Key value should be at least 20 characters\n"
    );

    let listed = store.ok(&["keys", "list"]);
    assert!(!listed.contains(VALUE) && !listed.contains(&bob_value));
    let table = rows(&listed);
    assert_eq!(
        table[0],
        ["ID", "NAME", "ENABLED", "VALUE", "CREATED", "USAGE PLANS"]
    );
    assert_eq!(table[1][..4], [alice.as_str(), "alice", "true", "cli-g..."]);
    assert!(table[1][4].starts_with(&today()), "{:?}", table[1]);
    assert_eq!(
        table[2][..4],
        [
            bob.as_str(),
            "bob",
            "false",
            &format!("{}...", &bob_value[..5])
        ]
    );

    let created = store.ok(&[
        "usage-plans",
        "create",
        "--name",
        "gold",
        "--api",
        "abc123",
        "--stage",
        "prod",
        "--rate",
        "10",
        "--burst",
        "5",
        "--method-throttle",
        "/pets/GET=2,1",
        "--quota-limit",
        "1000",
        "--quota-period",
        "MONTH",
    ]);
    let plan = field(&created, "id").to_string();
    assert_eq!(
        store.ok(&["usage-plans", "add-key", &plan, &alice]),
        format!("added API key {alice} to usage plan {plan}\n")
    );
    let plans = rows(&store.ok(&["usage-plans", "list"]));
    assert_eq!(
        plans[0],
        ["ID", "NAME", "STAGES", "THROTTLE", "QUOTA", "KEYS"]
    );
    assert_eq!(
        plans[1],
        [
            plan.as_str(),
            "gold",
            "abc123/prod[/pets/GET=2/s,1]",
            "10/s burst 5",
            "1000/MONTH",
            alice.as_str()
        ]
    );
    let listed = rows(&store.ok(&["keys", "list"]));
    assert_eq!(listed[1][5], plan);

    let missing = store.run(&["usage-plans", "add-key", &plan, "nokey00000"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&missing.stderr),
        "turnpike: error: Invalid API Key identifier specified: nokey00000\n"
    );

    let usage = rows(&store.ok(&["usage", &alice]));
    assert_eq!(
        usage[0],
        ["PLAN", "PERIOD", "START", "END", "USED", "REMAINING"]
    );
    assert_eq!(usage[1][..2], [plan.as_str(), "MONTH"]);
    assert_eq!(usage[1][4..], ["0", "1000"]);
    (alice, plan)
}

/// Deleting: a key leaves its plans, a plan leaves its keys, unknown ids are errors.
fn deletes(store: &Store, key: &str, plan: &str) {
    assert_eq!(
        store.ok(&["usage-plans", "remove-key", plan, key]),
        format!("removed API key {key} from usage plan {plan}\n")
    );
    store.ok(&["usage-plans", "add-key", plan, key]);
    assert_eq!(
        store.ok(&["keys", "delete", key]),
        format!("deleted API key {key}\n")
    );
    let plans = rows(&store.ok(&["usage-plans", "list"]));
    assert_eq!(plans[1].len(), 5, "no keys left: {plans:?}");
    let again = store.run(&["keys", "delete", key]);
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&again.stderr),
        format!("turnpike: error: Invalid API Key identifier specified: {key}\n")
    );
    assert_eq!(
        store.ok(&["usage-plans", "delete", plan]),
        format!("deleted usage plan {plan}\n")
    );
    assert_eq!(
        store.ok(&["usage-plans", "list"]),
        "ID  NAME  STAGES  THROTTLE  QUOTA  KEYS\n"
    );
}

/// The month's bounds as GetUsage prints them.
fn this_month() -> (String, String) {
    let (start, end) = turnpike_state::QuotaPeriod::Month.bounds(SystemTime::now());
    let day = |secs: u64| {
        let t = time::OffsetDateTime::from_unix_timestamp(secs as i64).unwrap();
        format!("{}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
    };
    (day(start), day(end - 1))
}

/// Counts `n` requests on the plan's quota the way the gateway will, through the library.
async fn consume(state: &State, plan: &str, key: &str, n: usize) {
    let record = state.get_usage_plan(plan).await.unwrap().unwrap();
    let quota = record.quota.unwrap();
    for _ in 0..n {
        let d = state
            .consume(
                &quota_key(plan, key),
                &quota,
                from_unix_secs(record.created_date),
                SystemTime::now(),
            )
            .await;
        assert!(d.allowed);
    }
}

fn assert_usage(store: &Store, key: &str, plan: &str, used: u64) {
    let (start, end) = this_month();
    let table = rows(&store.ok(&["usage", key, "--plan", plan]));
    assert_eq!(
        table[1],
        [
            plan,
            "MONTH",
            &start,
            &end,
            &used.to_string(),
            &(1000 - used).to_string()
        ]
    );
    let json = store.ok(&["usage", key, "--plan", plan, "--json"]);
    let expected = serde_json::json!({
        "usagePlanId": plan,
        "startDate": start,
        "endDate": end,
        "items": { key: [[used, 1000 - used]] },
    });
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&json).unwrap(),
        expected
    );
}

#[test]
fn keys_plans_and_usage_on_the_embedded_state() {
    let dir = TempDir::new();
    let data = dir.path().join("state");
    let store = Store(vec!["--data-dir".into(), data.display().to_string()]);
    let (key, plan) = keys_and_plans(&store);

    // Requests counted by the gateway's state show in `turnpike usage`, after a reopen.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let state = State::embedded(&EmbeddedConfig::new(&data)).unwrap();
        consume(&state, &plan, &key, 3).await;
    });
    assert_usage(&store, &key, &plan, 3);

    // The plain value never reached the file.
    let bytes = std::fs::read(data.join("state.redb")).unwrap();
    assert!(!bytes.windows(VALUE.len()).any(|w| w == VALUE.as_bytes()));
    deletes(&store, &key, &plan);
}

#[test]
fn keys_plans_and_usage_on_redis() {
    let server = RedisServer::start();
    let store = Store(vec!["--redis".into(), server.url()]);
    let (key, plan) = keys_and_plans(&store);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let state = State::redis(&turnpike_state::RedisConfig::new(server.url()))
            .await
            .unwrap();
        consume(&state, &plan, &key, 7).await;
    });
    assert_usage(&store, &key, &plan, 7);
    deletes(&store, &key, &plan);
}

#[test]
fn usage_plan_argument_mistakes_are_usage_errors() {
    let dir = TempDir::new();
    let data = dir.path().display().to_string();
    let bad_period = run(&[
        "usage-plans",
        "create",
        "--name",
        "x",
        "--quota-limit",
        "5",
        "--quota-period",
        "YEAR",
        "--data-dir",
        &data,
    ]);
    assert_eq!(bad_period.status.code(), Some(2));
    let bad_throttle = run(&[
        "usage-plans",
        "create",
        "--name",
        "x",
        "--api",
        "a",
        "--stage",
        "s",
        "--method-throttle",
        "pets",
        "--data-dir",
        &data,
    ]);
    assert_eq!(bad_throttle.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&bad_throttle.stderr),
        "turnpike: error: --method-throttle \"pets\": expected RESOURCE_PATH/METHOD=RATE,BURST\n"
    );
    let rate_without_burst = run(&["usage-plans", "create", "--name", "x", "--rate", "5"]);
    assert_eq!(rate_without_burst.status.code(), Some(2));
}

/// A running gateway holds the embedded state open; the commands still work beside it and the
/// gateway sees their keys at once, and `usage` sees the gateway's counts once flushed.
#[test]
fn commands_work_beside_a_gateway_holding_the_embedded_state() {
    let dir = TempDir::new();
    let data = dir.path().join("state");
    let store = Store(vec!["--data-dir".into(), data.display().to_string()]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let gateway = State::embedded(&EmbeddedConfig::new(&data)).unwrap();

    let created = store.ok(&["keys", "create", "--name", "live", "--value", VALUE]);
    let key = field(&created, "id").to_string();
    let plan = field(
        &store.ok(&[
            "usage-plans",
            "create",
            "--name",
            "live",
            "--quota-limit",
            "1000",
            "--quota-period",
            "MONTH",
        ]),
        "id",
    )
    .to_string();
    store.ok(&["usage-plans", "add-key", &plan, &key]);
    runtime.block_on(async {
        let found = gateway.api_key_by_value(VALUE).await.unwrap().unwrap();
        assert_eq!(
            (found.id.as_str(), found.usage_plan_ids.as_slice()),
            (key.as_str(), [plan.clone()].as_slice())
        );
        consume(&gateway, &plan, &key, 4).await;
        gateway.flush().await.unwrap();
    });
    assert_usage(&store, &key, &plan, 4);
    drop(gateway);
}
