//! Differential tests: every case in `tests/differential/*.cases` is rendered by Apache
//! Velocity 1.7 (through `tests/differential/Render.java`, compiled and run here) and by
//! turnpike-vtl, and the outputs must be byte-identical. Needs a JDK (`javac`, `java`) and the
//! Debian package `velocity` (with its commons-collections3 and commons-lang dependencies).
//!
//! A cases file holds cases that each start with a line `%%%% name`; the template is every
//! following line up to the next case, without the last line break.

use std::path::{Path, PathBuf};
use std::process::Command;

use turnpike_vtl::{Scope, Template};

/// Jars Velocity 1.7 needs, as the Debian packages install them.
const JARS: &[&str] = &[
    "/usr/share/java/velocity-1.7.jar",
    "/usr/share/java/commons-collections3.jar",
    "/usr/share/java/commons-lang.jar",
];

/// The variables Render.java puts in its context (keep both in step).
fn differential_scope() -> Scope<'static> {
    use serde_json::json;
    Scope::new("")
        .variable("name", json!("World"))
        .variable("empty", json!(""))
        .variable("n", json!(42))
        .variable("neg", json!(-7))
        .variable("big", json!(3_000_000_000i64))
        .variable("pi", json!(3.5))
        .variable("flag", json!(true))
        .variable("off", json!(false))
        .variable("list", json!(["a", "b", "c"]))
        .variable("nums", json!([1, 2, 3, 4, 5]))
        .variable("none", json!([]))
        .variable("map", json!({"k": "v", "n": 1, "inner": {"x": "y"}}))
        .variable("people", json!([{"name": "Ann", "age": 31}, {"name": "Bob", "age": 25}, {"name": "Cy", "age": 40}]))
        .variable("text", json!("  Hello, Velocity World  "))
        .variable("csv", json!("a,b,,c"))
}

struct Case {
    name: String,
    status: String,
    output: String,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential")
}

fn require_tools() -> String {
    let mut missing = Vec::new();
    for tool in ["javac", "java"] {
        if Command::new(tool).arg("-version").output().is_err() {
            missing.push(format!(
                "`{tool}` (install a JDK, e.g. Debian package default-jdk-headless)"
            ));
        }
    }
    for jar in JARS {
        if !Path::new(jar).exists() {
            missing.push(format!("{jar} (install the Debian package `velocity`)"));
        }
    }
    assert!(
        missing.is_empty(),
        "differential tests need Apache Velocity 1.7 and a JDK; missing: {}",
        missing.join(", ")
    );
    JARS.join(":")
}

/// Runs Velocity over all case files at once.
fn velocity(files: &[PathBuf]) -> Vec<Case> {
    let classpath = require_tools();
    let classes =
        std::env::temp_dir().join(format!("turnpike-vtl-differential-{}", std::process::id()));
    std::fs::create_dir_all(&classes).unwrap();
    let javac = Command::new("javac")
        .args(["-nowarn", "-cp", &classpath, "-d"])
        .arg(&classes)
        .arg(dir().join("Render.java"))
        .output()
        .unwrap();
    assert!(
        javac.status.success(),
        "javac Render.java failed: {}",
        String::from_utf8_lossy(&javac.stderr)
    );
    let run = Command::new("java")
        .arg("-cp")
        .arg(format!("{classpath}:{}", classes.display()))
        .arg("Render")
        .args(files)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&classes);
    assert!(
        run.status.success(),
        "java Render failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut cases = Vec::new();
    let out = run.stdout;
    let mut i = 0;
    let line = |i: &mut usize| {
        let end = out[*i..].iter().position(|b| *b == b'\n').unwrap() + *i;
        let text = String::from_utf8(out[*i..end].to_vec()).unwrap();
        *i = end + 1;
        text
    };
    while i < out.len() {
        let name = line(&mut i);
        let status = line(&mut i);
        let len: usize = line(&mut i).parse().unwrap();
        let output = String::from_utf8(out[i..i + len].to_vec()).unwrap();
        i += len;
        cases.push(Case {
            name,
            status,
            output,
        });
    }
    cases
}

/// The cases of one file, as Render.java splits them.
fn templates(file: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut cases: Vec<(String, String)> = Vec::new();
    for line in text.split('\n') {
        if let Some(name) = line.strip_prefix("%%%% ") {
            cases.push((name.trim().to_string(), String::new()));
        } else if let Some((_, body)) = cases.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    for (_, body) in &mut cases {
        body.pop();
    }
    cases
}

fn ours(template: &str) -> Case {
    let (status, output) = match Template::compile(template) {
        Err(_) => ("PARSE_ERROR", String::new()),
        Ok(t) => match t.render(&differential_scope()) {
            Ok(rendered) => ("OK", rendered.body),
            Err(_) => ("RENDER_ERROR", String::new()),
        },
    };
    Case {
        name: String::new(),
        status: status.into(),
        output,
    }
}

#[test]
fn matches_apache_velocity_1_7() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cases"))
        .collect();
    files.sort();
    let templates: Vec<(String, String)> = files.iter().flat_map(|f| templates(f)).collect();
    let expected = velocity(&files);
    assert_eq!(
        expected.len(),
        templates.len(),
        "Render.java and this test split the cases differently"
    );
    let mut failures = Vec::new();
    for ((name, template), velocity) in templates.iter().zip(&expected) {
        assert_eq!(name, &velocity.name);
        let got = ours(template);
        if got.status != velocity.status || got.output != velocity.output {
            failures.push(format!(
                "case {name}:\n  template: {template:?}\n  velocity: {} {:?}\n  ours:     {} {:?}",
                velocity.status, velocity.output, got.status, got.output
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        templates.len(),
        failures.join("\n")
    );
    assert!(
        templates.len() >= 200,
        "only {} differential cases",
        templates.len()
    );
}
