//! `turnpike routes PATH...`: the route table `serve` would print, without serving.

use std::process::ExitCode;

use crate::args::RoutesArgs;
use crate::deploy::{self, stages, Options, Source};

pub fn run(args: RoutesArgs) -> ExitCode {
    let base_url = super::base_url("http", args.listen);
    let sources = Source::from_paths(&args.load.paths, &base_url);
    let options = Options::new(args.load.kind.map(Into::into), &args.load.parameters);
    let loaded = match deploy::load_all(&sources, &options) {
        Ok(loaded) => loaded,
        Err(errors) => return super::report_load_errors(&errors),
    };
    loaded.report_notes();
    let (names, vars) = (&args.stages.stages, &args.stages.stage_vars);
    let plan = match stages::plan(&loaded.apis, &loaded.stages, names, vars) {
        Ok(plan) => plan,
        Err(message) => return super::usage_error(&message),
    };
    let functions = crate::table::render_functions(&loaded.functions);
    let deployment = deploy::with_websocket_apis(
        deploy::deployment(loaded.apis, plan),
        loaded.websocket_apis,
        &loaded.stages,
    );
    let urls = turnpike_gateway::route_urls(&deployment, &base_url);
    print!(
        "{}{functions}",
        crate::table::render(&deployment.apis, &urls, &base_url)
            + &crate::table::render_websockets(&deployment, &base_url)
    );
    ExitCode::SUCCESS
}
