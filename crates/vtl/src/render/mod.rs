//! Rendering: walks the compiled nodes against a [`Scope`]. `expr.rs` evaluates expressions
//! with Velocity's arithmetic and truth rules, `methods.rs` resolves properties and method
//! calls on values, `crate::aws` supplies `$input` and `$util`.

mod expr;
mod methods;

use std::collections::HashMap as StdHashMap;

/// Variable tables hash with foldhash (see `value::Entries`).
type HashMap<K, V> = StdHashMap<K, V, foldhash::fast::RandomState>;
use std::sync::Arc;

use crate::ast::{Block, Node, Part, Pos, Reference};
use crate::error::RenderError;
use crate::parse::Macro;
use crate::scope::{context_value, string_map, Overrides, Rendered, Scope};
use crate::value::{LoopState, Native, Value};
use crate::Limits;
use std::rc::Rc;

/// A macro argument: an expression evaluated on each use (Velocity passes by name) until the
/// macro assigns the parameter.
#[derive(Clone)]
enum Arg {
    ByName(Arc<crate::ast::Expr>),
    Value(Value),
}

/// How a block ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Stop,
}

/// Velocity's `velocimacro.max.depth`; `#evaluate` counts too.
const MAX_DEPTH: usize = 20;

/// Deepest nesting of blocks across macro calls, so hostile templates cannot exhaust the
/// stack (each template alone is limited by the parser).
const MAX_BLOCK_NESTING: usize = 256;

pub(crate) struct Renderer<'r, 'a> {
    scope: &'r Scope<'a>,
    limits: &'r Limits,
    globals: HashMap<String, Value>,
    /// Macro arguments, innermost call last.
    frames: Vec<HashMap<String, Arg>>,
    macros: Vec<StdHashMap<String, Arc<Macro>>>,
    base_macros: &'r StdHashMap<String, Arc<Macro>>,
    out: String,
    steps: u64,
    depth: usize,
    blocks: usize,
    regexes: HashMap<String, regex::Regex>,
    /// The body as a value, parsed on first use.
    body: Option<Value>,
}

impl<'r, 'a> Renderer<'r, 'a> {
    pub(crate) fn new(
        scope: &'r Scope<'a>,
        limits: &'r Limits,
        macros: &'r StdHashMap<String, Arc<Macro>>,
    ) -> Self {
        let mut globals = HashMap::default();
        for (name, value) in &scope.variables {
            globals.insert(name.clone(), Value::from_json(value));
        }
        Renderer {
            scope,
            limits,
            globals,
            frames: Vec::new(),
            macros: Vec::new(),
            base_macros: macros,
            out: String::new(),
            steps: 0,
            depth: 0,
            blocks: 0,
            regexes: HashMap::default(),
            body: None,
        }
    }

    /// Renders the template and collects the overrides it set.
    pub(crate) fn run(mut self, nodes: &[Node]) -> Result<Rendered, RenderError> {
        self.block(nodes)?;
        let overrides = Overrides::from_context(self.globals.get("context"));
        Ok(Rendered {
            body: self.out,
            overrides,
        })
    }

    fn step(&mut self) -> Result<(), RenderError> {
        self.steps += 1;
        if self.steps > self.limits.max_steps {
            return Err(RenderError::StepBudget(self.limits.max_steps));
        }
        Ok(())
    }

    fn write(&mut self, text: &str) -> Result<(), RenderError> {
        if self.out.len() + text.len() > self.limits.max_output {
            return Err(RenderError::OutputTooLarge(self.limits.max_output));
        }
        self.out.push_str(text);
        Ok(())
    }

    fn block(&mut self, nodes: &[Node]) -> Result<Flow, RenderError> {
        if self.blocks >= MAX_BLOCK_NESTING {
            return Err(RenderError::TooDeep(MAX_BLOCK_NESTING));
        }
        self.blocks += 1;
        let mut result = Ok(Flow::Normal);
        for node in nodes {
            match self.node(node) {
                Ok(Flow::Normal) => {}
                other => {
                    result = other;
                    break;
                }
            }
        }
        self.blocks -= 1;
        result
    }

    fn node(&mut self, node: &Node) -> Result<Flow, RenderError> {
        self.step()?;
        match node {
            Node::Text(text) => self.write(text)?,
            Node::Ref { reference, escapes } => self.reference(reference, *escapes)?,
            Node::Set { target, value } => {
                let value = self.value(value)?;
                // Velocity 1.7 leaves the target untouched when the right side is null.
                if !value.is_null() {
                    self.assign(target, value)?;
                }
            }
            Node::If {
                branches,
                otherwise,
            } => {
                for (condition, body) in branches {
                    if self.truthy(condition)? {
                        return self.block(body);
                    }
                }
                if let Some(body) = otherwise {
                    return self.block(body);
                }
            }
            Node::Foreach {
                var,
                iterable,
                body,
            } => return self.foreach(var, iterable, body),
            Node::Break => return Ok(Flow::Break),
            Node::Stop => return Ok(Flow::Stop),
            Node::Define { name, body } => self.set_var(name, Value::Block(body.clone())),
            Node::Evaluate { source, pos } => return self.evaluate(source, *pos),
            Node::Call {
                name,
                args,
                raw,
                pos,
            } => return self.call(name, args, raw, *pos),
        }
        Ok(Flow::Normal)
    }

    /// Writes a reference: its value, or its source text when null (nothing for `$!x`).
    fn reference(&mut self, reference: &Reference, escapes: usize) -> Result<(), RenderError> {
        let value = self.eval_ref(reference)?;
        if value.is_null() {
            let literal = self.null_literal(reference);
            if escapes > 0 {
                self.write(&"\\".repeat(escapes))?;
                self.write(&literal)?;
            } else if !reference.quiet {
                self.write(&literal)?;
            }
            return Ok(());
        }
        if escapes > 0 {
            self.write(&"\\".repeat(escapes / 2))?;
            if escapes % 2 == 1 {
                return self.write(&reference.raw);
            }
        }
        self.write_value(&value)
    }

    /// The text of a null reference: its source, except that a macro parameter bound to a
    /// reference shows that reference (`#m($x)` prints `$x` for a null `$a`), as Velocity does.
    fn null_literal(&self, reference: &Reference) -> String {
        let bound = self
            .frames
            .last()
            .and_then(|frame| frame.get(&reference.root));
        if let Some(Arg::ByName(expr)) = bound {
            if let crate::ast::Expr::Ref(arg) = &**expr {
                let plain = reference
                    .raw
                    .strip_prefix("$!")
                    .or_else(|| reference.raw.strip_prefix('$'));
                if let Some(rest) = plain.and_then(|p| p.strip_prefix(reference.root.as_str())) {
                    return format!("{}{rest}", arg.raw);
                }
            }
        }
        reference.raw.clone()
    }

    fn write_value(&mut self, value: &Value) -> Result<(), RenderError> {
        match value {
            Value::Block(body) => {
                let body = body.clone();
                self.nested(|r| r.block(&body).map(|_| ()))
            }
            Value::String(s) => self.write(s),
            other => match other.java_string() {
                Some(text) => self.write(&text),
                None => Ok(()),
            },
        }
    }

    /// Runs `f` one level deeper (macro call, `#evaluate`, `#define` block).
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, RenderError>,
    ) -> Result<T, RenderError> {
        if self.depth >= MAX_DEPTH {
            return Err(RenderError::TooDeep(MAX_DEPTH));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    /// Looks a variable up: macro arguments, then globals, then API Gateway's objects.
    fn lookup(&mut self, name: &str) -> Result<Value, RenderError> {
        match self
            .frames
            .last()
            .and_then(|frame| frame.get(name))
            .cloned()
        {
            Some(Arg::Value(value)) => return Ok(value),
            Some(Arg::ByName(expr)) => {
                // The argument is evaluated in the caller's scope.
                let frame = self.frames.pop();
                let value = self.value(&expr);
                self.frames.extend(frame);
                return value;
            }
            None => {}
        }
        if let Some(value) = self.globals.get(name) {
            return Ok(value.clone());
        }
        let builtin = match name {
            "input" => Value::Native(Native::Input),
            "util" => Value::Native(Native::Util),
            "context" => context_value(self.scope),
            "stageVariables" => string_map(&self.scope.stage_variables),
            _ => return Ok(Value::Null),
        };
        // Built once per render so `#set` into `$context` sticks.
        self.globals.insert(name.to_string(), builtin.clone());
        Ok(builtin)
    }

    /// The request body as a value, built once per render.
    fn body_root(&mut self) -> Value {
        self.body
            .get_or_insert_with(|| crate::aws::input::body_value(self.scope))
            .clone()
    }

    /// Sets a global without allocating its name when it already exists (loop variables).
    fn set_global(&mut self, name: &str, value: Value) {
        match self.globals.get_mut(name) {
            Some(slot) => *slot = value,
            None => {
                self.globals.insert(name.to_string(), value);
            }
        }
    }

    fn set_var(&mut self, name: &str, value: Value) {
        if let Some(frame) = self.frames.last_mut() {
            if let Some(slot) = frame.get_mut(name) {
                *slot = Arg::Value(value);
                return;
            }
        }
        self.set_global(name, value);
    }

    fn assign(&mut self, target: &Reference, value: Value) -> Result<(), RenderError> {
        let Some((last, prefix)) = target.parts.split_last() else {
            self.set_var(&target.root, value);
            return Ok(());
        };
        let mut object = self.lookup(&target.root)?;
        for part in prefix {
            if object.is_null() {
                return Ok(());
            }
            object = self.part(object, part, target.pos)?;
        }
        let key = match last {
            Part::Property(name) => Value::string(name.as_str()),
            Part::Index(index) => self.value(index)?,
            Part::Method(..) => return Ok(()),
        };
        match (&object, &key) {
            (Value::Map(map), key) => {
                if let Some(key) = key.java_string() {
                    map.borrow_mut().insert(key, value);
                }
            }
            (Value::List(list), Value::Int(i)) => {
                let mut list = list.borrow_mut();
                let len = list.len();
                match usize::try_from(*i).ok().and_then(|i| list.get_mut(i)) {
                    Some(slot) => *slot = value,
                    None => {
                        return Err(method_error(
                            target.pos,
                            format!("index {i} out of bounds for length {len}"),
                        ))
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Evaluates a reference to its value (null when any step is null or unknown).
    fn eval_ref(&mut self, reference: &Reference) -> Result<Value, RenderError> {
        let mut value = self.lookup(&reference.root)?;
        for part in &reference.parts {
            if value.is_null() {
                return Ok(Value::Null);
            }
            value = self.part(value, part, reference.pos)?;
        }
        Ok(value)
    }

    fn part(&mut self, value: Value, part: &Part, pos: Pos) -> Result<Value, RenderError> {
        self.step()?;
        match part {
            Part::Property(name) => self.property(&value, name, pos),
            Part::Method(name, args) => {
                let mut values = Vec::with_capacity(args.len());
                for arg in args {
                    values.push(self.value(arg)?);
                }
                self.method(&value, name, &values, pos)
            }
            Part::Index(index) => {
                let index = self.value(index)?;
                methods::index(&value, &index).map_err(|m| method_error(pos, m))
            }
        }
    }

    fn foreach(
        &mut self,
        var: &str,
        iterable: &crate::ast::Expr,
        body: &Block,
    ) -> Result<Flow, RenderError> {
        let items: Vec<Value> = match self.value(iterable)? {
            Value::List(list) => list.borrow().clone(),
            Value::Map(map) => map.borrow().values().cloned().collect(),
            _ => Vec::new(),
        };
        let saved: Vec<(&str, Option<Value>)> = [var, "velocityCount", "foreach"]
            .into_iter()
            .map(|n| (n, self.globals.get(n).cloned()))
            .collect();
        let len = items.len();
        let parent = saved.last().and_then(|(_, outer)| outer.clone());
        let mut flow = Flow::Normal;
        // `hasNext`/`last` follow the iterator, as in Velocity, even where the cap stops the loop.
        for (i, item) in items
            .into_iter()
            .take(self.limits.max_loop_iterations)
            .enumerate()
        {
            let state = LoopState {
                index: i,
                len,
                parent: parent.clone(),
            };
            self.set_global("foreach", Value::Loop(Rc::new(state)));
            self.set_global("velocityCount", Value::integer(i as i128 + 1));
            self.set_var(var, item);
            match self.block(body)? {
                Flow::Normal => {}
                Flow::Break => break,
                Flow::Stop => {
                    flow = Flow::Stop;
                    break;
                }
            }
        }
        for (name, old) in saved {
            match old {
                Some(value) => self.globals.insert(name.to_string(), value),
                None => self.globals.remove(name),
            };
        }
        Ok(flow)
    }

    fn evaluate(&mut self, source: &crate::ast::Expr, _pos: Pos) -> Result<Flow, RenderError> {
        let value = self.value(source)?;
        let Some(text) = value.java_string() else {
            return Ok(Flow::Normal);
        };
        let parsed = crate::parse::parse(&text).map_err(RenderError::Evaluate)?;
        self.macros.push(parsed.macros);
        let result = self.nested(|r| r.block(&parsed.nodes));
        self.macros.pop();
        // `#stop` and `#break` inside the evaluated text end only that text.
        result.map(|_| Flow::Normal)
    }

    fn find_macro(&self, name: &str) -> Option<Arc<Macro>> {
        self.macros
            .iter()
            .rev()
            .find_map(|m| m.get(name))
            .or_else(|| self.base_macros.get(name))
            .cloned()
    }

    fn call(
        &mut self,
        name: &str,
        args: &[Arc<crate::ast::Expr>],
        raw: &str,
        _pos: Pos,
    ) -> Result<Flow, RenderError> {
        let Some(definition) = self.find_macro(name) else {
            self.write(raw)?;
            return Ok(Flow::Normal);
        };
        let mut frame = HashMap::default();
        for (param, arg) in definition.params.iter().zip(args) {
            frame.insert(param.clone(), Arg::ByName(arg.clone()));
        }
        self.frames.push(frame);
        let result = self.nested(|r| r.block(&definition.body));
        self.frames.pop();
        match result? {
            Flow::Stop => Ok(Flow::Stop),
            _ => Ok(Flow::Normal),
        }
    }
}

pub(crate) fn method_error(pos: Pos, message: impl Into<String>) -> RenderError {
    RenderError::Method {
        line: pos.line,
        column: pos.column,
        message: message.into(),
    }
}
