//! `turnpike usage-plans create|list|delete|add-key|remove-key`.

use std::collections::BTreeMap;
use std::process::ExitCode;

use turnpike_state::{
    ApiStage, NewUsagePlan, Quota, QuotaPeriod, State, StateError, Throttle, UsagePlan,
};

use super::keys::{columns, with_state};
use crate::args::{CreatePlanArgs, QuotaPeriodArg, UsagePlansArgs, UsagePlansCommand};

pub fn run(args: UsagePlansArgs) -> ExitCode {
    let command = args.command;
    // Argument mistakes are usage errors, found before the state is opened.
    let new_plan = match &command {
        UsagePlansCommand::Create(create) => match plan_from(create) {
            Ok(plan) => Some(plan),
            Err(message) => return super::usage_error(&message),
        },
        _ => None,
    };
    with_state(&args.state, |state| async move {
        match command {
            UsagePlansCommand::Create(_) => {
                let Some(new_plan) = new_plan else {
                    return Ok(());
                };
                let plan = state.create_usage_plan(new_plan).await?;
                println!("id: {}", plan.id);
                println!("name: {}", plan.name);
                Ok(())
            }
            UsagePlansCommand::List => list(&state).await,
            UsagePlansCommand::Delete { id } => {
                state.delete_usage_plan(&id).await?;
                println!("deleted usage plan {id}");
                Ok(())
            }
            UsagePlansCommand::AddKey { plan, key } => {
                state.add_usage_plan_key(&plan, &key).await?;
                println!("added API key {key} to usage plan {plan}");
                Ok(())
            }
            UsagePlansCommand::RemoveKey { plan, key } => {
                state.remove_usage_plan_key(&plan, &key).await?;
                println!("removed API key {key} from usage plan {plan}");
                Ok(())
            }
        }
    })
}

fn plan_from(args: &CreatePlanArgs) -> Result<NewUsagePlan, String> {
    let mut method_throttles = BTreeMap::new();
    for spec in &args.method_throttle {
        let (method, throttle) = parse_method_throttle(spec)?;
        method_throttles.insert(method, throttle);
    }
    let api_stages = match (&args.api, &args.stage) {
        (Some(api_id), Some(stage)) => vec![ApiStage {
            api_id: api_id.clone(),
            stage: stage.clone(),
            throttle: method_throttles,
        }],
        _ => Vec::new(),
    };
    let throttle = match (args.rate, args.burst) {
        (Some(rate_limit), Some(burst_limit)) => Some(Throttle {
            rate_limit,
            burst_limit,
        }),
        _ => None,
    };
    let quota = match (args.quota_limit, args.quota_period) {
        (Some(limit), Some(period)) => Some(Quota {
            limit,
            period: match period {
                QuotaPeriodArg::Day => QuotaPeriod::Day,
                QuotaPeriodArg::Week => QuotaPeriod::Week,
                QuotaPeriodArg::Month => QuotaPeriod::Month,
            },
            offset: args.quota_offset,
        }),
        _ => None,
    };
    Ok(NewUsagePlan {
        name: args.name.clone(),
        description: args.description.clone(),
        api_stages,
        throttle,
        quota,
    })
}

/// `/pets/GET=5,2` → (`/pets/GET`, rate 5, burst 2).
fn parse_method_throttle(spec: &str) -> Result<(String, Throttle), String> {
    let bad = || format!("--method-throttle {spec:?}: expected RESOURCE_PATH/METHOD=RATE,BURST");
    let (method, numbers) = spec.split_once('=').ok_or_else(bad)?;
    let (rate, burst) = numbers.split_once(',').ok_or_else(bad)?;
    if !method.starts_with('/') || !method.contains('/') {
        return Err(bad());
    }
    let rate_limit: f64 = rate.trim().parse().map_err(|_| bad())?;
    let burst_limit: u64 = burst.trim().parse().map_err(|_| bad())?;
    Ok((
        method.to_string(),
        Throttle {
            rate_limit,
            burst_limit,
        },
    ))
}

async fn list(state: &State) -> Result<(), StateError> {
    let plans = state.list_usage_plans().await?;
    let mut rows = vec![[
        "ID".to_string(),
        "NAME".into(),
        "STAGES".into(),
        "THROTTLE".into(),
        "QUOTA".into(),
        "KEYS".into(),
    ]];
    for plan in plans {
        rows.push(row(plan));
    }
    print!("{}", columns(&rows));
    Ok(())
}

fn row(plan: UsagePlan) -> [String; 6] {
    let stages = plan
        .api_stages
        .iter()
        .map(|s| {
            let methods: Vec<String> = s
                .throttle
                .iter()
                .map(|(m, t)| format!("{m}={}/s,{}", t.rate_limit, t.burst_limit))
                .collect();
            if methods.is_empty() {
                format!("{}/{}", s.api_id, s.stage)
            } else {
                format!("{}/{}[{}]", s.api_id, s.stage, methods.join(";"))
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    let throttle = plan.throttle.map_or("-".into(), |t| {
        format!("{}/s burst {}", t.rate_limit, t.burst_limit)
    });
    let quota = plan.quota.map_or("-".into(), |q| {
        let offset = if q.offset > 0 {
            format!(" offset {}", q.offset)
        } else {
            String::new()
        };
        format!("{}/{}{offset}", q.limit, q.period.as_str())
    });
    [
        plan.id,
        plan.name,
        if stages.is_empty() {
            "-".into()
        } else {
            stages
        },
        throttle,
        quota,
        plan.key_ids.join(","),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_throttles_parse() {
        assert_eq!(
            parse_method_throttle("/pets/GET=5,2").unwrap(),
            (
                "/pets/GET".to_string(),
                Throttle {
                    rate_limit: 5.0,
                    burst_limit: 2
                }
            )
        );
        assert_eq!(
            parse_method_throttle("pets=5").unwrap_err(),
            "--method-throttle \"pets=5\": expected RESOURCE_PATH/METHOD=RATE,BURST"
        );
    }
}
