//! Property test: compiling and rendering any input never panics (errors are fine), and
//! rendering stays within its limits.

use proptest::prelude::*;
use turnpike_vtl::{Limits, Scope, Template};

/// Fragments of VTL syntax, so generated inputs reach deep into the parser and renderer.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("#set($x = ".to_string()),
        Just("#if(".to_string()),
        Just("#elseif(".to_string()),
        Just("#else".to_string()),
        Just("#end".to_string()),
        Just("#foreach($i in ".to_string()),
        Just("#macro(m $a)".to_string()),
        Just("#m(".to_string()),
        Just("#define($d)".to_string()),
        Just("#evaluate(".to_string()),
        Just("#break".to_string()),
        Just("#stop".to_string()),
        Just("##".to_string()),
        Just("#*".to_string()),
        Just("*#".to_string()),
        Just("#[[".to_string()),
        Just("]]#".to_string()),
        Just("$x".to_string()),
        Just("$!{x}".to_string()),
        Just("$input.json('$.a')".to_string()),
        Just("$input.path('$..b[*]')".to_string()),
        Just("$input.params('a')".to_string()),
        Just("$util.parseJson(".to_string()),
        Just("$util.urlDecode('%".to_string()),
        Just("$context.requestOverride.header.h".to_string()),
        Just(".substring(".to_string()),
        Just(".split('".to_string()),
        Just(".replaceAll('(".to_string()),
        Just(".get(".to_string()),
        Just("[1..".to_string()),
        Just("{'k': ".to_string()),
        Just("\"$x\"".to_string()),
        Just("'s'".to_string()),
        Just(") ".to_string()),
        Just("]".to_string()),
        Just("}".to_string()),
        Just("\\".to_string()),
        Just("\n".to_string()),
        Just(" + 2147483647 * ".to_string()),
        Just(" / 0".to_string()),
        Just(" && !".to_string()),
        Just(" == ".to_string()),
        "[0-9a-z]{0,3}".prop_map(|s| s),
        any::<String>(),
    ]
}

fn template_source() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn compile_and_render_never_panic(source in template_source(), body in any::<String>()) {
        if let Ok(template) = Template::compile(&source) {
            let limits = Limits { max_loop_iterations: 1000, max_steps: 20_000, max_output: 64 * 1024 };
            let template = template.with_limits(limits);
            let scope = Scope::new(&body)
                .path_params([("a", "1")])
                .querystring_params([("b", "%zz")])
                .header_params([("C", "x")]);
            if let Ok(rendered) = template.render(&scope) {
                prop_assert!(rendered.body.len() <= 64 * 1024);
            }
        }
    }

    #[test]
    fn arbitrary_json_bodies_are_safe(body in "[\\[\\]{}\",:0-9a-z .-]{0,60}") {
        let template = Template::compile("$input.json('$') $input.path('$.a') $input.json('$..a') #foreach($x in $input.path('$.*'))$x#end")
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let _ = template.render(&Scope::new(&body));
    }
}
