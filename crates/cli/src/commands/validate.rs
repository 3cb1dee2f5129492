//! `turnpike validate PATH...`: load every document and template, say which are fine, report
//! every error (including functions Turnpike could not run).

use std::process::ExitCode;

use turnpike_model::Template;

use crate::args::ValidateArgs;
use crate::deploy::{self, Options, Source};
use crate::functions::{self, Settings};
use crate::table::kind_name;

pub fn run(args: ValidateArgs) -> ExitCode {
    let sources: Vec<Source> = args.paths.iter().cloned().map(Source::File).collect();
    let options = Options::new(args.kind.map(Into::into), &args.parameters);
    let results = deploy::load_each(&sources, &options);
    // Runtimes and limits only; the interpreter is the serving machine's business.
    let settings = Settings {
        client: turnpike_functions::RuntimeClient::Bundled,
        python: None,
        lambda_endpoint: None,
        watch: false,
    };
    let mut errors = Vec::new();
    for (source, result) in sources.iter().zip(results) {
        let template = match result {
            Ok(template) => template,
            Err(mut e) => {
                errors.append(&mut e);
                continue;
            }
        };
        let path = source.path();
        let functions: Vec<_> = template
            .functions
            .iter()
            .map(|f| (path.to_path_buf(), f.clone()))
            .collect();
        if let Err(mut e) = functions::configs(&functions, &settings) {
            errors.append(&mut e);
            continue;
        }
        for (name, kind) in &template.ignored {
            eprintln!("turnpike: {}: ignored: {name} ({kind})", path.display());
        }
        for warning in &template.warnings {
            eprintln!("turnpike: warning: {warning}");
        }
        print!("{}", summary(&path.display().to_string(), &template));
    }
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        super::report_load_errors(&errors)
    }
}

/// `FILE: ok (...)`: for an OpenAPI document one line about its API; for a template a line with
/// its counts, then one per API and function.
fn summary(file: &str, template: &Template) -> String {
    let routes = |n: usize| format!("{n} route{}", if n == 1 { "" } else { "s" });
    let is_document = template.functions.is_empty()
        && template.stages.is_empty()
        && template.ignored.is_empty()
        && template.apis.len() == 1;
    if let (true, [api]) = (is_document, template.apis.as_slice()) {
        return format!(
            "{file}: ok ({}, {} {:?}, id {})\n",
            routes(api.routes.len()),
            kind_name(api.kind),
            api.name,
            api.id
        );
    }
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut out = format!(
        "{file}: ok ({}, {})\n",
        plural(template.apis.len(), "API"),
        plural(template.functions.len(), "function")
    );
    for api in &template.apis {
        let stages: Vec<&str> = template
            .stages
            .iter()
            .filter(|(id, _)| *id == api.id)
            .map(|(_, stage)| stage.name.as_str())
            .collect();
        out.push_str(&format!(
            "  {} {:?}, id {}: {}, stage {}\n",
            kind_name(api.kind),
            api.name,
            api.id,
            routes(api.routes.len()),
            stages.join(", ")
        ));
    }
    for function in &template.functions {
        out.push_str(&format!(
            "  function {}: {} {}\n",
            function.function_name,
            function.runtime,
            function.handler.as_deref().unwrap_or("bootstrap")
        ));
    }
    out
}
