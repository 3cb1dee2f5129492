//! `turnpike validate PATH...`: load every document, say which are fine, report every error.

use std::process::ExitCode;

use crate::args::ValidateArgs;
use crate::deploy::{self, Source};
use crate::table::kind_name;

pub fn run(args: ValidateArgs) -> ExitCode {
    let sources: Vec<Source> = args.paths.iter().cloned().map(Source::File).collect();
    let results = deploy::load_each(&sources, args.kind.map(Into::into));
    let mut errors = Vec::new();
    for (source, result) in sources.iter().zip(results) {
        match result {
            Ok(api) => {
                let plural = if api.routes.len() == 1 { "" } else { "s" };
                println!(
                    "{}: ok ({} route{plural}, {} {:?}, id {})",
                    source.path().display(),
                    api.routes.len(),
                    kind_name(api.kind),
                    api.name,
                    api.id
                );
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        super::report_load_errors(&errors)
    }
}
