//! The stages each API is deployed to, from what templates declare and the command line says.
//!
//! The rule (also in `turnpike serve --help`):
//! - a template's API gets the stage the template declares, with its variables; an OpenAPI
//!   document's API gets its kind's default (REST `dev`, HTTP `$default`);
//! - `--stage NAME...` replaces those stage names for every API, keeping a template's variables;
//! - `--stage-var KEY=VALUE` then sets a variable in every stage, `STAGE:KEY=VALUE` in one
//!   (overriding the template's value and a `KEY=VALUE` for all stages).

use std::collections::BTreeMap;

use turnpike_model::{Api, ApiKind, Stage};

use crate::args::StageVar;

/// By API id, the stages it is deployed to.
pub type Plan = BTreeMap<String, Vec<Stage>>;

/// The stages of every API in `apis`; `declared` holds (API id, stage) as templates declare
/// them. `Err` is a command-line mistake, worded for the user.
pub fn plan(
    apis: &[Api],
    declared: &[(String, Stage)],
    names: &[String],
    vars: &[StageVar],
) -> Result<Plan, String> {
    if names.iter().any(|name| name == Stage::DEFAULT)
        && !apis.iter().any(|api| api.kind == ApiKind::Http)
    {
        return Err(
            "stage $default exists only for HTTP APIs; REST API stages need a name such as dev"
                .into(),
        );
    }
    let mut unique_names: Vec<&String> = Vec::new();
    for name in names {
        if !unique_names.contains(&name) {
            unique_names.push(name);
        }
    }
    let mut plan = Plan::new();
    for api in apis {
        let own: Vec<&Stage> = declared
            .iter()
            .filter(|(id, _)| *id == api.id)
            .map(|(_, stage)| stage)
            .collect();
        let stages = if !unique_names.is_empty() {
            let mut variables = BTreeMap::new();
            for stage in &own {
                variables.extend(stage.variables.clone());
            }
            unique_names
                .iter()
                .map(|name| Stage {
                    name: (*name).clone(),
                    variables: variables.clone(),
                })
                .collect()
        } else if !own.is_empty() {
            own.into_iter().cloned().collect()
        } else {
            vec![Stage::new(default_stage(api.kind))]
        };
        plan.insert(api.id.clone(), stages);
    }
    apply_variables(&mut plan, apis, vars)?;
    Ok(plan)
}

/// Sets `--stage-var`s: those for every stage first, then those for one stage.
fn apply_variables(plan: &mut Plan, apis: &[Api], vars: &[StageVar]) -> Result<(), String> {
    // Stage names in the order the APIs were loaded, for messages.
    let mut served: Vec<&str> = Vec::new();
    for api in apis {
        for stage in plan.get(&api.id).into_iter().flatten() {
            let usable = api.kind == ApiKind::Http || !stage.is_default();
            if usable && !served.contains(&stage.name.as_str()) {
                served.push(&stage.name);
            }
        }
    }
    for var in vars {
        if let Some(stage) = &var.stage {
            if !served.contains(&stage.as_str()) {
                return Err(format!(
                    "--stage-var {stage}:{}={}: no stage {stage:?} is served (stages: {}); \
                     add --stage {stage}",
                    var.key,
                    var.value,
                    served.join(", ")
                ));
            }
        }
    }
    let ordered = vars
        .iter()
        .filter(|v| v.stage.is_none())
        .chain(vars.iter().filter(|v| v.stage.is_some()));
    for var in ordered {
        for stage in plan.values_mut().flatten() {
            if var.stage.as_ref().is_none_or(|name| *name == stage.name) {
                stage.variables.insert(var.key.clone(), var.value.clone());
            }
        }
    }
    Ok(())
}

/// AWS has no default; these are what `turnpike serve` uses when neither the user nor a
/// template names a stage.
pub fn default_stage(kind: ApiKind) -> &'static str {
    match kind {
        ApiKind::Rest => "dev",
        ApiKind::Http => Stage::DEFAULT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(title: &str, kind: ApiKind) -> Api {
        Api::new(title, kind, format!("{title}.yaml"))
    }

    fn var(s: &str) -> StageVar {
        StageVar::parse(s).unwrap()
    }

    fn stage(name: &str, vars: &[(&str, &str)]) -> Stage {
        Stage {
            name: name.into(),
            variables: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    /// (name, variables) of `api`'s stages.
    fn of(plan: &Plan, api: &Api) -> Vec<Stage> {
        plan[&api.id].clone()
    }

    #[test]
    fn without_options_each_api_gets_its_kinds_default() {
        let (rest, http) = (api("a", ApiKind::Rest), api("b", ApiKind::Http));
        let plan = plan(&[rest.clone(), http.clone()], &[], &[], &[]).unwrap();
        assert_eq!(of(&plan, &rest), [stage("dev", &[])]);
        assert_eq!(of(&plan, &http), [stage("$default", &[])]);
    }

    #[test]
    fn templates_declare_each_apis_stage_with_its_variables() {
        let (sam, http, doc) = (
            api("sam", ApiKind::Rest),
            api("samhttp", ApiKind::Http),
            api("doc", ApiKind::Rest),
        );
        let declared = [
            (sam.id.clone(), stage("Prod", &[("table", "live")])),
            (http.id.clone(), stage("$default", &[])),
        ];
        let apis = [sam.clone(), http.clone(), doc.clone()];
        let plan = plan(&apis, &declared, &[], &[var("debug=1")]).unwrap();
        assert_eq!(
            of(&plan, &sam),
            [stage("Prod", &[("debug", "1"), ("table", "live")])]
        );
        assert_eq!(of(&plan, &http), [stage("$default", &[("debug", "1")])]);
        assert_eq!(of(&plan, &doc), [stage("dev", &[("debug", "1")])]);
    }

    #[test]
    fn stage_names_replace_declared_ones_and_keep_their_variables() {
        let (sam, doc) = (api("sam", ApiKind::Rest), api("doc", ApiKind::Rest));
        let declared = [(sam.id.clone(), stage("Prod", &[("table", "live")]))];
        let names = ["v1".to_string(), "v2".into(), "v1".into()];
        let vars = [var("v2:table=test"), var("table=all")];
        let apis = [sam.clone(), doc.clone()];
        let plan = plan(&apis, &declared, &names, &vars).unwrap();
        assert_eq!(
            of(&plan, &sam),
            [
                stage("v1", &[("table", "all")]),
                stage("v2", &[("table", "test")])
            ]
        );
        assert_eq!(
            of(&plan, &doc),
            [
                stage("v1", &[("table", "all")]),
                stage("v2", &[("table", "test")])
            ]
        );
    }

    #[test]
    fn a_variable_for_a_declared_stage_needs_no_stage_option() {
        let sam = api("sam", ApiKind::Rest);
        let declared = [(sam.id.clone(), stage("Prod", &[("table", "live")]))];
        let plan = plan(
            std::slice::from_ref(&sam),
            &declared,
            &[],
            &[var("Prod:table=mine")],
        )
        .unwrap();
        assert_eq!(of(&plan, &sam), [stage("Prod", &[("table", "mine")])]);
    }

    #[test]
    fn variable_for_an_unknown_stage_is_an_error() {
        let rest = [api("a", ApiKind::Rest)];
        assert_eq!(
            plan(&rest, &[], &[], &[var("prod:x=1")]).unwrap_err(),
            "--stage-var prod:x=1: no stage \"prod\" is served (stages: dev); add --stage prod"
        );
    }

    #[test]
    fn default_stage_needs_an_http_api() {
        let rest = [api("a", ApiKind::Rest)];
        let err = plan(&rest, &[], &["$default".to_string()], &[]).unwrap_err();
        assert!(err.starts_with("stage $default exists only for HTTP APIs"));
        // With an HTTP API present, `$default` is served (by that API only).
        let both = [api("a", ApiKind::Rest), api("b", ApiKind::Http)];
        let names = ["$default".to_string()];
        assert!(plan(&both, &[], &names, &[var("$default:k=v")]).is_ok());
    }
}
