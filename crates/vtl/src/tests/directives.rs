use super::render;

#[test]
fn set_assigns_and_gobbles_its_line() {
    assert_eq!(render("a\n#set($x = 1)\nb$x"), "a\nb1");
    assert_eq!(render("#set( $x = \"v\" )$x"), "v");
    assert_eq!(render("#{set}($x = 2)$x"), "2");
}

#[test]
fn set_gobbles_blanks_that_start_a_token_only() {
    assert_eq!(render("#if(true)\n  #set($x = 1)\n#end$x"), "1");
    assert_eq!(render("text\n  #set($x = 1)\n$x"), "text\n  1");
    assert_eq!(render("#set($y = 0)$y  #set($x = 1)$x"), "01");
}

#[test]
fn set_with_null_keeps_the_old_value() {
    assert_eq!(render("#set($x = 1)#set($x = $missing)$x"), "1");
}

#[test]
fn set_into_maps_and_lists() {
    assert_eq!(
        render("#set($m = {})#set($m.a = 1)#set($m['b'] = 2)$m"),
        "{a=1, b=2}"
    );
    assert_eq!(render("#set($l = [1, 2])#set($l[0] = 9)$l"), "[9, 2]");
}

#[test]
fn if_elseif_else() {
    let t = "#foreach($v in [1, 2, 3])#if($v == 1)one#elseif($v == 2)two#else other#end #end";
    assert_eq!(render(t), "one two  other ");
    assert_eq!(render("#if(false)a#{else}b#{end}"), "b");
}

#[test]
fn if_gobbles_directive_lines_but_keeps_indentation() {
    assert_eq!(
        render("  #if(true)  \n  x\n  #else\n  y\n  #end  \nz"),
        "    x\n  z"
    );
}

#[test]
fn truth_of_literals_and_references() {
    assert_eq!(
        render("#if(1)a#end#if('x')b#end#if([1])c#end#if(1 + 1)d#end"),
        ""
    );
    assert_eq!(
        render("#set($e = '')#set($z = 0)#if($e)a#end#if($z)b#end#if($nope)c#end"),
        "ab"
    );
}

#[test]
fn logic_and_comparison_operators() {
    assert_eq!(
        render("#if(true && !false and not false)a#end#if(false || true or false)b#end"),
        "ab"
    );
    assert_eq!(
        render("#if(2 > 1 && 2 gt 1 && 1 lt 2 && 2 ge 2 && 2 le 2 && 1 eq 1 && 1 ne 2)ok#end"),
        "ok"
    );
    assert_eq!(
        render("#if(1 == 1.0)a#end#if('1' == 1)b#end#if($x == $y)c#end#if('a' < 'b')d#end"),
        "abc"
    );
}

#[test]
fn foreach_with_loop_variables() {
    let t = "#foreach($x in ['a', 'b'])$foreach.index$foreach.count$velocityCount$foreach.hasNext$foreach.first$foreach.last;#end";
    assert_eq!(render(t), "011truetruefalse;122falsefalsetrue;");
}

#[test]
fn foreach_over_ranges_maps_and_nothing() {
    assert_eq!(render("#foreach($i in [3..1])$i#end"), "321");
    assert_eq!(render("#foreach($v in {'a': 1, 'b': 2})$v#end"), "12");
    assert_eq!(
        render("#foreach($v in $nope)x#end#foreach($v in 'str')y#end|"),
        "|"
    );
}

#[test]
fn foreach_restores_its_variable() {
    assert_eq!(render("#set($x = 'o')#foreach($x in [1])$x#end$x"), "1o");
    assert_eq!(render("#foreach($y in [1])#end$y"), "$y");
}

#[test]
fn break_leaves_the_innermost_loop() {
    assert_eq!(
        render("#foreach($i in [1..3])#foreach($j in [1..3])#if($j == 2)#break#end$i$j #end#end"),
        "11 21 31 "
    );
    assert_eq!(
        render("#foreach($i in [1..3])#if($i == 2)#break($foreach)#end$i#end"),
        "1"
    );
}

#[test]
fn stop_ends_rendering() {
    assert_eq!(render("a\n#stop\nb"), "a\n");
    assert_eq!(
        render("#foreach($i in [1..5])$i#if($i == 2)#stop#end#end after"),
        "12"
    );
}

#[test]
fn macros_with_arguments_and_forward_references() {
    assert_eq!(render("#m('x')\n#macro(m $a)[$a]#end"), "[x]");
    assert_eq!(
        render("#macro(two $a $b)$a$b#end#two(1 2)|#two(1, 'x')|#two(1)"),
        "12|1x|1$b"
    );
    assert_eq!(render("#nomacro(1) #other"), "#nomacro(1) #other");
}

#[test]
fn define_renders_lazily() {
    assert_eq!(
        render("#define($b)v=$v#end#set($v = 1)$b|#set($v = 2)$b"),
        "v=1|v=2"
    );
}

#[test]
fn evaluate_renders_a_string() {
    assert_eq!(
        render("#set($n = 'x')#evaluate('#set($q = 5)$q $n')"),
        "5 x"
    );
}

#[test]
fn comments_and_unparsed_content() {
    assert_eq!(render("a ## note\nb#* block\n *#c"), "a bc");
    assert_eq!(render("#[[#if($x) $y]]#"), "#if($x) $y");
}

#[test]
fn escapes() {
    assert_eq!(
        render("#set($a = 1)\\$a \\\\$a \\$b \\#if \\#foo"),
        "$a \\1 \\$b #if \\#foo"
    );
}
