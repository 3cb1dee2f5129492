use crate::{CompileError, RenderError, Scope, Template};

fn compile_error(source: &str) -> CompileError {
    Template::compile(source).unwrap_err()
}

#[test]
fn errors_carry_line_and_column() {
    let error = compile_error("line one\n  #if($x)\nno end");
    assert_eq!((error.line, error.column), (2, 3));
    assert_eq!(
        error.to_string(),
        "line 2, column 3: #if without a matching #end"
    );
}

#[test]
fn unmatched_end_is_an_error() {
    assert_eq!(compile_error("a\n#end").to_string(), "line 2, column 1: #end, #else or #elseif without a matching #if, #foreach, #macro or #define");
}

#[test]
fn malformed_directives_are_errors() {
    assert_eq!(
        compile_error("#set($x 1)").to_string(),
        "line 1, column 9: expected `=` in #set"
    );
    assert_eq!(
        compile_error("#foreach($x $list)#end").message,
        "expected `in` in #foreach"
    );
    assert_eq!(
        compile_error("#set($x = 3 -2)").message,
        "expected `)` closing #set"
    );
    assert_eq!(
        compile_error("#set($x = \"abc)").message,
        "unterminated string literal"
    );
    assert_eq!(
        compile_error("#* open").message,
        "unterminated #* comment *#"
    );
}

#[test]
fn include_and_parse_are_refused() {
    assert_eq!(
        compile_error("x #include('a.vm')").to_string(),
        "line 1, column 3: #include is not supported: mapping templates cannot read other files"
    );
    assert_eq!(
        compile_error("#parse('a.vm')").message,
        "#parse is not supported: mapping templates cannot read other files"
    );
}

#[test]
fn evaluate_of_bad_template_is_a_render_error() {
    let error = Template::compile("#evaluate('#if(')")
        .unwrap()
        .render(&Scope::new(""))
        .unwrap_err();
    assert!(matches!(error, RenderError::Evaluate(_)), "{error:?}");
}

#[test]
fn columns_count_characters() {
    let error = compile_error("é😀 #if(");
    assert_eq!((error.line, error.column), (1, 8));
}
