//! `turnpike usage KEY_ID [--plan ID] [--json]`: used and remaining quota of a key in the current
//! period of each of its plans, as AWS GetUsage reports it (`[used, remaining]`).

use std::process::ExitCode;
use std::time::SystemTime;

use turnpike_state::{from_unix_secs, quota_key, State, StateError};

use super::keys::{columns, date, with_state};
use crate::args::UsageArgs;

pub fn run(args: UsageArgs) -> ExitCode {
    with_state(&args.state, |state| async move {
        show(&state, &args.key, args.plan.as_deref(), args.json).await
    })
}

async fn show(
    state: &State,
    key_id: &str,
    only_plan: Option<&str>,
    json: bool,
) -> Result<(), StateError> {
    let key = state.get_api_key(key_id).await?.ok_or_else(|| {
        StateError::NotFound(format!("Invalid API Key identifier specified: {key_id}"))
    })?;
    let plan_ids: Vec<&String> = key
        .usage_plan_ids
        .iter()
        .filter(|p| only_plan.is_none_or(|only| *p == only))
        .collect();
    if let Some(only) = only_plan {
        if plan_ids.is_empty() {
            return Err(StateError::NotFound(format!(
                "API key {key_id} is not in usage plan {only}"
            )));
        }
    }
    let now = SystemTime::now();
    let mut rows = vec![[
        "PLAN".to_string(),
        "PERIOD".into(),
        "START".into(),
        "END".into(),
        "USED".into(),
        "REMAINING".into(),
    ]];
    for plan_id in plan_ids {
        let Some(plan) = state.get_usage_plan(plan_id).await? else {
            continue;
        };
        let Some(quota) = plan.quota else {
            rows.push([
                plan.id,
                "-".into(),
                "-".into(),
                "-".into(),
                "-".into(),
                "no quota".into(),
            ]);
            continue;
        };
        let created = from_unix_secs(plan.created_date);
        let usage = state
            .usage(&quota_key(&plan.id, key_id), &quota, created, now)
            .await?;
        // GetUsage dates are inclusive days: the period's last day is the one before its end.
        let last_day = usage.period_end.saturating_sub(1);
        if json {
            let body = serde_json::json!({
                "usagePlanId": plan.id,
                "startDate": date(usage.period_start),
                "endDate": date(last_day),
                "items": { key_id: [[usage.used, usage.remaining]] },
            });
            println!("{body}");
            continue;
        }
        rows.push([
            plan.id,
            quota.period.as_str().into(),
            date(usage.period_start),
            date(last_day),
            usage.used.to_string(),
            usage.remaining.to_string(),
        ]);
    }
    if !json {
        print!("{}", columns(&rows));
    }
    Ok(())
}
