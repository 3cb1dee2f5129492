//! `turnpike routes PATH...`: the route table `serve` would print, without serving.

use std::process::ExitCode;

use crate::args::RoutesArgs;
use crate::deploy::{self, Source};

pub fn run(args: RoutesArgs) -> ExitCode {
    let base_url = super::base_url("http", args.listen);
    let sources = Source::from_paths(&args.load.paths, &base_url);
    let apis = match deploy::load_all(&sources, args.load.kind.map(Into::into)) {
        Ok(apis) => apis,
        Err(errors) => return super::report_load_errors(&errors),
    };
    let stages = match deploy::stages(&apis, &args.stages.stages, &args.stages.stage_vars) {
        Ok(stages) => stages,
        Err(message) => return super::usage_error(&message),
    };
    let deployment = deploy::deployment(apis, stages);
    let urls = turnpike_gateway::route_urls(&deployment, &base_url);
    print!(
        "{}",
        crate::table::render(&deployment.apis, &urls, &base_url)
    );
    ExitCode::SUCCESS
}
