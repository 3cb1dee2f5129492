//! Resolution of the command line into what the gateway serves: documents into [`Api`]s (every
//! error of every file collected), `--stage`/`--stage-var` into [`Stage`]s, both into a
//! [`Deployment`].

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use turnpike_model::{Api, ApiKind, Deployment, LoadError, LoadOptions, Stage};

use crate::args::StageVar;

/// Where an API document comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file the user named.
    File(PathBuf),
    /// A document held in memory (the bundled example); the path is only for messages.
    Text { path: PathBuf, text: String },
}

impl Source {
    /// The user's files, or the bundled example (for `base_url`) when there are none.
    pub fn from_paths(paths: &[PathBuf], base_url: &str) -> Vec<Source> {
        if paths.is_empty() {
            crate::example::documents(base_url)
                .into_iter()
                .map(|(path, text)| Source::Text { path, text })
                .collect()
        } else {
            paths.iter().cloned().map(Source::File).collect()
        }
    }

    pub fn path(&self) -> &Path {
        match self {
            Source::File(path) | Source::Text { path, .. } => path,
        }
    }
}

/// The outcome of loading one source.
pub type Loaded = Result<Api, Vec<LoadError>>;

/// Loads every source, keeping each one's result (in order) so callers can report per file.
pub fn load_each(sources: &[Source], kind: Option<ApiKind>) -> Vec<Loaded> {
    let options = LoadOptions { kind };
    let mut results: Vec<Loaded> = sources
        .iter()
        .map(|source| {
            match source {
                Source::File(path) => turnpike_model::load_file(path, &options),
                Source::Text { path, text } => turnpike_model::load_str(path, text, &options),
            }
            .map_err(|errors| errors.0)
        })
        .collect();
    reject_duplicate_ids(&mut results);
    results
}

/// Loads every source; all APIs, or every error of every source.
pub fn load_all(sources: &[Source], kind: Option<ApiKind>) -> Result<Vec<Api>, Vec<LoadError>> {
    let mut apis = Vec::new();
    let mut errors = Vec::new();
    for result in load_each(sources, kind) {
        match result {
            Ok(api) => apis.push(api),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(apis)
    } else {
        Err(errors)
    }
}

/// Ids come from titles, so two documents with the same title would be indistinguishable by Host
/// header or `/restapis/{id}`: the later one is an error.
fn reject_duplicate_ids(results: &mut [Loaded]) {
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for result in results.iter_mut() {
        let Ok(api) = result else { continue };
        if let Some(first) = seen.get(&api.id) {
            let error = LoadError {
                file: api.source.clone(),
                line: 0,
                column: 0,
                pointer: "/info/title".into(),
                message: format!(
                    "the title {:?} gives the API id {}, already used by {}; API ids are derived \
                     from titles, so give each API its own title",
                    api.name,
                    api.id,
                    first.display()
                ),
            };
            *result = Err(vec![error]);
        } else {
            seen.insert(api.id.clone(), api.source.clone());
        }
    }
}

/// The stages to serve: the `--stage` names (duplicates dropped), or the default stage of each
/// kind of API present (REST `dev`, HTTP `$default`), each with its `--stage-var` variables. A
/// variable given as `STAGE:KEY=VALUE` overrides one given for all stages.
///
/// With neither `--stage` nor `--stage-var` the list is empty: the gateway then deploys each API to
/// its own kind's default stage, so a REST and an HTTP API served together get `dev` and `$default`
/// respectively rather than both.
pub fn stages(apis: &[Api], names: &[String], vars: &[StageVar]) -> Result<Vec<Stage>, String> {
    if names.is_empty() && vars.is_empty() {
        return Ok(Vec::new());
    }
    let mut ordered: Vec<String> = Vec::new();
    if names.is_empty() {
        for kind in [ApiKind::Rest, ApiKind::Http] {
            if apis.iter().any(|api| api.kind == kind) {
                ordered.push(default_stage(kind).to_string());
            }
        }
    } else {
        for name in names {
            if !ordered.contains(name) {
                ordered.push(name.clone());
            }
        }
    }
    if ordered.iter().any(|name| name == Stage::DEFAULT)
        && !apis.iter().any(|api| api.kind == ApiKind::Http)
    {
        return Err(
            "stage $default exists only for HTTP APIs; REST API stages need a name such as dev"
                .into(),
        );
    }
    for var in vars {
        if let Some(stage) = &var.stage {
            if !ordered.contains(stage) {
                return Err(format!(
                    "--stage-var {stage}:{}={}: no stage {stage:?} is served (stages: {}); \
                     add --stage {stage}",
                    var.key,
                    var.value,
                    ordered.join(", ")
                ));
            }
        }
    }
    Ok(ordered
        .into_iter()
        .map(|name| {
            let mut variables = BTreeMap::new();
            for var in vars.iter().filter(|v| v.stage.is_none()) {
                variables.insert(var.key.clone(), var.value.clone());
            }
            for var in vars.iter().filter(|v| v.stage.as_ref() == Some(&name)) {
                variables.insert(var.key.clone(), var.value.clone());
            }
            Stage { name, variables }
        })
        .collect())
}

/// AWS has no default; these are what `turnpike serve` uses when the user names no stage.
pub fn default_stage(kind: ApiKind) -> &'static str {
    match kind {
        ApiKind::Rest => "dev",
        ApiKind::Http => Stage::DEFAULT,
    }
}

/// The deployment the gateway serves.
pub fn deployment(apis: Vec<Api>, stages: Vec<Stage>) -> Deployment {
    Deployment {
        apis: apis.into_iter().map(Arc::new).collect(),
        stages,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(title: &str, kind: ApiKind) -> Api {
        Api {
            id: turnpike_model::api_id_from_title(title),
            name: title.into(),
            kind,
            source: PathBuf::from(format!("{title}.yaml")),
            routes: Vec::new(),
            gateway_responses: BTreeMap::new(),
            binary_media_types: Vec::new(),
        }
    }

    fn var(s: &str) -> StageVar {
        StageVar::parse(s).unwrap()
    }

    fn names(stages: &[Stage]) -> Vec<&str> {
        stages.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn no_stage_options_leave_the_defaults_to_each_api_kind() {
        let both = [api("b", ApiKind::Http), api("a", ApiKind::Rest)];
        assert!(stages(&both, &[], &[]).unwrap().is_empty());
    }

    #[test]
    fn variables_without_stages_go_to_the_default_stage_of_each_kind_present() {
        let rest = [api("a", ApiKind::Rest)];
        let http = [api("b", ApiKind::Http)];
        let both = [api("b", ApiKind::Http), api("a", ApiKind::Rest)];
        let vars = [var("k=v")];
        assert_eq!(names(&stages(&rest, &[], &vars).unwrap()), ["dev"]);
        assert_eq!(names(&stages(&http, &[], &vars).unwrap()), ["$default"]);
        assert_eq!(
            names(&stages(&both, &[], &vars).unwrap()),
            ["dev", "$default"]
        );
        let resolved = stages(&rest, &[], &[var("dev:k=1")]).unwrap();
        assert_eq!(
            resolved[0].variables.get("k").map(String::as_str),
            Some("1")
        );
    }

    #[test]
    fn named_stages_keep_order_and_drop_duplicates() {
        let rest = [api("a", ApiKind::Rest)];
        let given = ["prod".to_string(), "dev".into(), "prod".into()];
        assert_eq!(names(&stages(&rest, &given, &[]).unwrap()), ["prod", "dev"]);
    }

    #[test]
    fn stage_specific_variables_override_global_ones_in_any_order() {
        let rest = [api("a", ApiKind::Rest)];
        let given = ["dev".to_string(), "prod".into()];
        let vars = [var("prod:host=p"), var("host=all"), var("other=1")];
        let resolved = stages(&rest, &given, &vars).unwrap();
        let dev: Vec<_> = resolved[0].variables.iter().collect();
        let prod: Vec<_> = resolved[1].variables.iter().collect();
        assert_eq!(
            dev,
            [
                (&"host".to_string(), &"all".to_string()),
                (&"other".into(), &"1".into())
            ]
        );
        assert_eq!(
            prod,
            [
                (&"host".to_string(), &"p".to_string()),
                (&"other".into(), &"1".into())
            ]
        );
    }

    #[test]
    fn variable_for_an_unknown_stage_is_an_error() {
        let rest = [api("a", ApiKind::Rest)];
        assert_eq!(
            stages(&rest, &[], &[var("prod:x=1")]).unwrap_err(),
            "--stage-var prod:x=1: no stage \"prod\" is served (stages: dev); add --stage prod"
        );
    }

    #[test]
    fn default_stage_needs_an_http_api() {
        let rest = [api("a", ApiKind::Rest)];
        let err = stages(&rest, &["$default".to_string()], &[]).unwrap_err();
        assert!(err.starts_with("stage $default exists only for HTTP APIs"));
    }

    #[test]
    fn duplicate_titles_are_rejected_with_both_files_named() {
        let mut results: Vec<Loaded> = vec![
            Ok(api("Same", ApiKind::Rest)),
            Ok(api("Same", ApiKind::Http)),
        ];
        reject_duplicate_ids(&mut results);
        assert!(results[0].is_ok());
        let errors = results[1].as_ref().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/info/title");
        assert!(errors[0].message.contains("already used by Same.yaml"));
    }

    #[test]
    fn no_paths_means_the_bundled_example() {
        let sources = Source::from_paths(&[], "http://127.0.0.1:8080");
        let paths: Vec<_> = sources.iter().map(|s| s.path().to_path_buf()).collect();
        assert_eq!(
            paths,
            [
                PathBuf::from("examples/petstore.yaml"),
                PathBuf::from("examples/petstore-http.yaml")
            ]
        );
        let files = Source::from_paths(&[PathBuf::from("x.yaml")], "http://127.0.0.1:8080");
        assert!(matches!(&files[..], [Source::File(p)] if p == Path::new("x.yaml")));
    }
}
