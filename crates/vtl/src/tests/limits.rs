use super::render;
use crate::{Limits, RenderError, Scope, Template};

#[test]
fn foreach_stops_after_1000_iterations() {
    assert_eq!(
        render("#set($c = 0)#foreach($i in [1..1500])#set($c = $c + 1)#end$c"),
        "1000"
    );
}

#[test]
fn step_budget_stops_runaway_templates() {
    let t =
        "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])x#end#end#end";
    let limits = Limits {
        max_steps: 50_000,
        ..Limits::default()
    };
    let template = Template::compile(t).unwrap().with_limits(limits);
    assert_eq!(
        template.render(&Scope::new("")).unwrap_err(),
        RenderError::StepBudget(50_000)
    );
    assert_eq!(Limits::default().max_steps, 2_000_000);
}

#[test]
fn output_size_is_bounded() {
    let limits = Limits {
        max_output: 100,
        ..Limits::default()
    };
    let t = Template::compile("#foreach($i in [1..200])xy#end")
        .unwrap()
        .with_limits(limits);
    assert_eq!(
        t.render(&Scope::new("")).unwrap_err(),
        RenderError::OutputTooLarge(100)
    );
}

#[test]
fn recursive_macros_hit_the_depth_limit() {
    let t = Template::compile("#macro(r)#r()#end#r()").unwrap();
    assert_eq!(
        t.render(&Scope::new("")).unwrap_err(),
        RenderError::TooDeep(20)
    );
}

#[test]
fn huge_ranges_are_refused() {
    let t = Template::compile("#set($r = [1..100000000])").unwrap();
    assert_eq!(
        t.render(&Scope::new("")).unwrap_err(),
        RenderError::RangeTooLarge(1, 100_000_000)
    );
}

#[test]
fn self_containing_lists_print_without_overflow() {
    let out = render("#set($l = [])#set($x = $l.add($l))$l.size()");
    assert_eq!(out, "1");
    let printed = render("#set($l = [])#set($x = $l.add($l))$l");
    assert!(
        printed.starts_with("[[[[") && printed.contains("..."),
        "{printed}"
    );
}

#[test]
fn deep_nesting_is_a_compile_error() {
    let source = "#if(true)".repeat(500);
    let error = Template::compile(&source).unwrap_err();
    assert!(error.message.contains("nesting deeper than"), "{error}");
}

#[test]
fn deep_blocks_across_macros_are_bounded() {
    let body = format!("{}#m{}", "#if(true)".repeat(100), "#end".repeat(100));
    let t = Template::compile(&format!("#macro(m){body}#end#m()")).unwrap();
    assert_eq!(
        t.render(&Scope::new("")).unwrap_err(),
        RenderError::TooDeep(256)
    );
}

#[test]
fn deeply_nested_expressions_render() {
    let source = format!("#set($x = {}1{})$x", "(".repeat(100), ")".repeat(100));
    assert_eq!(render(&source), "1");
}
