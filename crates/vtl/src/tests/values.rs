use super::render;
use crate::value::java_double;

#[test]
fn unresolved_references_render_as_written() {
    assert_eq!(
        render("$a ${a} $a.b $a.b(1, 'x') [$!a] [$!{a}]"),
        "$a ${a} $a.b $a.b(1, 'x') [] []"
    );
}

#[test]
fn java_double_formatting() {
    let cases = [
        (1500.0, "1500.0"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e20, "1.0E20"),
        (1e-5, "1.0E-5"),
        (12345678.9, "1.23456789E7"),
        (0.001, "0.001"),
        (-0.5, "-0.5"),
        (1e7, "1.0E7"),
        (0.0, "0.0"),
        (f64::NAN, "NaN"),
    ];
    for (d, text) in cases {
        assert_eq!(java_double(d), text, "{d}");
    }
}

#[test]
fn integer_arithmetic_widens_like_velocity() {
    assert_eq!(
        render("#set($a = 2147483647 + 1)$a|#set($b = 9223372036854775807 + 1)$b"),
        "2147483648|9223372036854775808"
    );
    assert_eq!(
        render("#set($a = -7 / 2)$a|#set($b = -7 % 3)$b|#set($c = 1 / 0)$c"),
        "-3|-1|$c"
    );
    assert_eq!(
        render("#set($a = 7.0 / 2)$a|#set($b = 'a' + 1)$b|#set($c = 2 + 3 * 4)$c"),
        "3.5|a1|14"
    );
}

#[test]
fn string_methods() {
    let t = "#set($s = 'Hello World')$s.length() $s.substring(6) $s.substring(0, 5) $s.indexOf('o') $s.lastIndexOf('o') \
             $s.replace('l', 'L') $s.toLowerCase() $s.toUpperCase() $s.contains('lo W') $s.startsWith('He') $s.endsWith('d') \
             $s.equals('Hello World') $s.equalsIgnoreCase('hello world') $s.isEmpty() $s.charAt(4) $s.matches('H.*d') $s.concat('!')";
    assert_eq!(
        render(t),
        "11 World Hello 4 7 HeLLo WorLd hello world HELLO WORLD true true true true true false o true Hello World!"
    );
    assert_eq!(render("#set($s = '  x ')[$s.trim()]"), "[x]");
}

#[test]
fn regex_methods_use_java_replacement_syntax() {
    assert_eq!(
        render(
            "#set($s = 'a1b22c')$s.replaceAll('[0-9]+', '#') $s.replaceFirst('([a-z])', '<$1>')"
        ),
        "a#b#c <a>1b22c"
    );
    assert_eq!(
        render("#set($s = 'ab')$s.replaceAll('(a)(b)', '$2$1\\$')"),
        "ba$"
    );
}

#[test]
fn split_drops_trailing_empty_strings() {
    let t = "#set($a = 'a,b,,c,,')#set($b = 'a,b,c')#foreach($p in $a.split(','))[$p]#end #foreach($p in $b.split(',', 2))[$p]#end";
    assert_eq!(render(t), "[a][b][][c] [a][b,c]");
}

#[test]
fn string_methods_count_utf16_units() {
    assert_eq!(
        render("#set($s = 'a😀b')$s.length() $s.indexOf('b') $s.substring(3)"),
        "4 3 b"
    );
}

#[test]
fn list_methods() {
    let t = "#set($l = [1, 'two'])$l.size() $l.get(1) $l.isEmpty() $l.contains('two') $l.add(3) $l $l[2]";
    assert_eq!(render(t), "2 two false true true [1, two, 3] 3");
}

#[test]
fn map_methods() {
    let t = "#set($m = {'a': 1})$m.put('b', 2) $m.get('a') $m.keySet() $m.values() $m.containsKey('b') $m.size() \
             $m.isEmpty() $m.entrySet() #foreach($e in $m.entrySet())$e.key=$e.value #end";
    assert_eq!(
        render(t),
        "$m.put('b', 2) 1 [a, b] [1, 2] true 2 false [a=1, b=2] a=1 b=2 "
    );
}

#[test]
fn number_methods() {
    assert_eq!(
        render("#set($n = 42)$n.toString().length()|#set($d = 3.9)$d.intValue()"),
        "2|3"
    );
}

#[test]
fn method_exceptions_are_render_errors() {
    let template = crate::Template::compile("x\n  $s.substring(5)").unwrap();
    let error = template.render(&crate::Scope::new("").variable("s", serde_json::json!("abc")));
    let message = error.unwrap_err().to_string();
    assert!(
        message.starts_with("line 2, column 3: StringIndexOutOfBoundsException"),
        "{message}"
    );
}
