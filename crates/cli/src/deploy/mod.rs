//! Resolution of the command line into what Turnpike serves: documents and templates into
//! [`Loaded`] (APIs, the stages templates declare, functions; every error of every file
//! collected), then with `--stage`/`--stage-var` ([`stages`]) into a [`Deployment`].

pub mod stages;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use turnpike_model::{
    Api, ApiKind, Deployment, Function, LoadError, LoadOptions, Stage, Template, TemplateOptions,
};

/// Where an API document or template comes from.
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

/// How sources are read: `--kind` for OpenAPI documents, `--parameter-overrides` for templates.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub load: LoadOptions,
    pub template: TemplateOptions,
}

impl Options {
    pub fn new(kind: Option<ApiKind>, parameters: &crate::args::ParameterArgs) -> Options {
        Options {
            load: LoadOptions { kind },
            template: TemplateOptions {
                parameter_overrides: parameters.resolved(),
                stack_name: None,
            },
        }
    }
}

/// The outcome of loading one source: an OpenAPI document is a [`Template`] with one API.
pub type LoadResult = Result<Template, Vec<LoadError>>;

/// Loads every source, keeping each one's result (in order) so callers can report per file. An
/// API id or function name already used by an earlier source is an error of the later one.
pub fn load_each(sources: &[Source], options: &Options) -> Vec<LoadResult> {
    let mut results: Vec<LoadResult> = sources
        .iter()
        .map(|source| {
            match source {
                Source::File(path) => {
                    turnpike_model::load_any_file(path, &options.load, &options.template)
                }
                Source::Text { path, text } => {
                    turnpike_model::load_any(path, text, &options.load, &options.template)
                }
            }
            .map_err(|errors| errors.0)
        })
        .collect();
    reject_duplicates(sources, &mut results);
    results
}

/// Everything the sources declare, together.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Every API, in load order.
    pub apis: Vec<Api>,
    /// Every WebSocket API, in load order.
    pub websocket_apis: Vec<turnpike_model::WebSocketApi>,
    /// (API id, stage) as templates declare them.
    pub stages: Vec<(String, Stage)>,
    /// (template, function), in load order.
    pub functions: Vec<(PathBuf, Function)>,
    /// (template, resource or event name, type) of what Turnpike does not serve.
    pub ignored: Vec<(PathBuf, String, String)>,
    /// Notes that did not stop loading.
    pub warnings: Vec<LoadError>,
    /// Usage plans and API keys the templates declare, seeded into the state at startup.
    pub usage_plans: turnpike_model::UsagePlans,
}

/// Loads every source; all of it, or every error of every source.
pub fn load_all(sources: &[Source], options: &Options) -> Result<Loaded, Vec<LoadError>> {
    let mut loaded = Loaded::default();
    let mut errors = Vec::new();
    for (source, result) in sources.iter().zip(load_each(sources, options)) {
        match result {
            Ok(template) => {
                let path = source.path();
                loaded.apis.extend(template.apis);
                loaded.websocket_apis.extend(template.websocket_apis);
                loaded.stages.extend(template.stages);
                let functions = template.functions.into_iter();
                loaded
                    .functions
                    .extend(functions.map(|f| (path.to_path_buf(), f)));
                let ignored = template.ignored.into_iter();
                loaded
                    .ignored
                    .extend(ignored.map(|(name, kind)| (path.to_path_buf(), name, kind)));
                loaded.warnings.extend(template.warnings);
                loaded.usage_plans.extend(template.usage_plans);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(loaded)
    } else {
        Err(errors)
    }
}

impl Loaded {
    /// Prints what templates declare that Turnpike does not serve, and the loaders' warnings, to
    /// stderr.
    pub fn report_notes(&self) {
        for (file, name, kind) in &self.ignored {
            eprintln!("turnpike: {}: ignored: {name} ({kind})", file.display());
        }
        for warning in &self.warnings {
            eprintln!("turnpike: warning: {warning}");
        }
    }
}

impl Loaded {
    /// (API name, route key, function ARN) of every Lambda route whose function no loaded
    /// template declares: those answer 500 until remote invocation exists. ARNs chosen by a
    /// stage variable are resolved per request and not listed.
    pub fn routes_without_function(&self) -> Vec<(String, String, String)> {
        let mut missing = Vec::new();
        for api in &self.apis {
            for route in &api.routes {
                let Some(arn) = route.integration.lambda_function_arn() else {
                    continue;
                };
                let name = arn
                    .split_once(":function:")
                    .map(|(_, rest)| rest.split(':').next().unwrap_or(rest));
                let local = name.is_some_and(|name| {
                    self.functions.iter().any(|(_, f)| f.function_name == name)
                });
                if !local && !arn.contains("${") {
                    missing.push((api.name.clone(), route.key.to_string(), arn.to_string()));
                }
            }
        }
        missing
    }
}

/// API ids come from titles (and template stack names), so two APIs with the same id would be
/// indistinguishable by Host header or `/restapis/{id}`; functions are invoked by name. A later
/// source reusing either is an error.
fn reject_duplicates(sources: &[Source], results: &mut [LoadResult]) {
    let mut api_ids: HashMap<String, PathBuf> = HashMap::new();
    let mut function_names: HashMap<String, PathBuf> = HashMap::new();
    for (source, result) in sources.iter().zip(results.iter_mut()) {
        let Ok(template) = result else { continue };
        let mut errors = Vec::new();
        for api in &template.apis {
            match api_ids.get(&api.id) {
                Some(first) => errors.push(LoadError {
                    file: api.source.clone(),
                    line: 0,
                    column: 0,
                    pointer: "/info/title".into(),
                    message: format!(
                        "the title {:?} gives the API id {}, already used by {}; API ids are \
                         derived from titles, so give each API its own title",
                        api.name,
                        api.id,
                        first.display()
                    ),
                }),
                None => {
                    api_ids.insert(api.id.clone(), api.source.clone());
                }
            }
        }
        for function in &template.functions {
            match function_names.get(&function.function_name) {
                Some(first) => errors.push(LoadError {
                    file: source.path().to_path_buf(),
                    line: 0,
                    column: 0,
                    pointer: function.pointer.clone(),
                    message: format!(
                        "a function named {} is already declared by {}; function names must be \
                         unique across the templates served together",
                        function.function_name,
                        first.display()
                    ),
                }),
                None => {
                    function_names
                        .insert(function.function_name.clone(), source.path().to_path_buf());
                }
            }
        }
        if !errors.is_empty() {
            *result = Err(errors);
        }
    }
}

/// The deployment the gateway serves: each API on its own stages (see [`stages::plan`]).
pub fn deployment(apis: Vec<Api>, plan: stages::Plan) -> Deployment {
    let mut deployment = Deployment::new(apis.into_iter().map(Arc::new).collect(), Vec::new());
    deployment.api_stages = plan;
    deployment
}

/// `deployment` serving `websocket_apis` too, each on the stages its template declares for it
/// (`declared`: (API id, stage)); one without declares none and is served on `$default`.
pub fn with_websocket_apis(
    mut deployment: Deployment,
    websocket_apis: Vec<turnpike_model::WebSocketApi>,
    declared: &[(String, turnpike_model::Stage)],
) -> Deployment {
    for api in &websocket_apis {
        let own: Vec<turnpike_model::Stage> = declared
            .iter()
            .filter(|(id, _)| *id == api.id)
            .map(|(_, stage)| stage.clone())
            .collect();
        if !own.is_empty() {
            deployment.api_stages.insert(api.id.clone(), own);
        }
    }
    deployment.websocket_apis = websocket_apis.into_iter().map(Arc::new).collect();
    deployment
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn api(title: &str, kind: ApiKind) -> Api {
        Api::new(title, kind, format!("{title}.yaml"))
    }

    fn template(apis: Vec<Api>, functions: &[&str]) -> Template {
        let functions = functions
            .iter()
            .map(|name| Function {
                logical_id: (*name).into(),
                function_name: (*name).into(),
                runtime: "python3.12".into(),
                handler: Some("app.handler".into()),
                code_dir: PathBuf::from("/code"),
                timeout: std::time::Duration::from_secs(3),
                memory_mb: 128,
                environment: BTreeMap::new(),
                reserved_concurrency: None,
                architectures: Vec::new(),
                pointer: format!("/Resources/{name}"),
            })
            .collect();
        Template {
            apis,
            functions,
            ..Template::default()
        }
    }

    #[test]
    fn duplicate_titles_are_rejected_with_both_files_named() {
        let sources = [
            Source::File("Same.yaml".into()),
            Source::File("other.yaml".into()),
        ];
        let mut results: Vec<LoadResult> = vec![
            Ok(template(vec![api("Same", ApiKind::Rest)], &[])),
            Ok(template(vec![api("Same", ApiKind::Http)], &[])),
        ];
        reject_duplicates(&sources, &mut results);
        assert!(results[0].is_ok());
        let errors = results[1].as_ref().unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/info/title");
        assert!(errors[0].message.contains("already used by Same.yaml"));
    }

    #[test]
    fn duplicate_function_names_are_rejected_naming_the_first_template() {
        let sources = [
            Source::File("a/template.yaml".into()),
            Source::File("b/template.yaml".into()),
        ];
        let mut results: Vec<LoadResult> = vec![
            Ok(template(Vec::new(), &["Hello", "Other"])),
            Ok(template(Vec::new(), &["Hello"])),
        ];
        reject_duplicates(&sources, &mut results);
        assert!(results[0].is_ok());
        let errors = results[1].as_ref().unwrap_err();
        assert_eq!(
            errors[0].to_string(),
            "b/template.yaml: /Resources/Hello: a function named Hello is already declared by \
             a/template.yaml; function names must be unique across the templates served together"
        );
    }

    #[test]
    fn openapi_documents_and_templates_load_together() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let sources = [
            Source::File(root.join("petstore.yaml")),
            Source::File(root.join("sam/template.yaml")),
        ];
        let loaded = load_all(&sources, &Options::default()).unwrap();
        let names: Vec<&str> = loaded.apis.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names[0], "Pet Store");
        assert_eq!(loaded.apis.len(), 3);
        let stages: Vec<&str> = loaded.stages.iter().map(|(_, s)| s.name.as_str()).collect();
        assert_eq!(stages, ["Prod", "$default"]);
        let functions: Vec<(&Path, &str)> = loaded
            .functions
            .iter()
            .map(|(file, f)| (file.as_path(), f.function_name.as_str()))
            .collect();
        let sam = root.join("sam/template.yaml");
        assert_eq!(
            functions,
            [
                (sam.as_path(), "HelloFunction"),
                (sam.as_path(), "GreetFunction")
            ]
        );
    }

    #[test]
    fn lambda_routes_without_a_local_function_are_listed() {
        let sam = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/sam/template.yaml");
        let mut loaded = load_all(&[Source::File(sam)], &Options::default()).unwrap();
        assert_eq!(loaded.routes_without_function(), Vec::new());
        loaded
            .functions
            .retain(|(_, f)| f.function_name != "GreetFunction");
        assert_eq!(
            loaded.routes_without_function(),
            [(
                "sam".to_string(),
                "GET /hello/{name}".to_string(),
                "arn:aws:lambda:us-east-1:123456789012:function:GreetFunction".to_string()
            )]
        );
    }

    #[test]
    fn parameter_overrides_reach_the_template() {
        let sam = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/sam/template.yaml");
        let mut options = Options::default();
        options
            .template
            .parameter_overrides
            .insert("Greeting".into(), "Howdy".into());
        let loaded = load_all(&[Source::File(sam)], &options).unwrap();
        assert_eq!(loaded.functions[0].1.environment["GREETING"], "Howdy");
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
