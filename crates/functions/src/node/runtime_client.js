// Turnpike's bundled Lambda runtime client for Node.js (CommonJS, standard library only).
//
// Implements the Lambda Runtime API loop: load the handler named by _HANDLER ("file.export",
// CommonJS or ES module), then for each invocation call it with (event, context[, callback]) and
// post its result, or the error as {errorType, errorMessage, trace} the way AWS's Node.js runtime
// does. Async handlers and callback-style handlers both work, with AWS's timing of the answer
// (context.callbackWaitsForEmptyEventLoop; see `run`).
"use strict";

const http = require("http");
const path = require("path");
const fs = require("fs");
const { pathToFileURL } = require("url");

const [HOST, PORT] = (process.env.AWS_LAMBDA_RUNTIME_API || "").split(":");
const RUNTIME = "/2018-06-01/runtime";
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, urlPath, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: HOST, port: Number(PORT), method, path: RUNTIME + urlPath, agent, headers: headers || {} },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on("error", reject);
      }
    );
    req.on("error", reject);
    req.end(body);
  });
}

class Fault extends Error {
  constructor(errorType, message) {
    super(message);
    this.name = errorType;
  }
}

function toError(err) {
  if (err instanceof Error) {
    const errorType = err.name && err.name !== "Error" ? err.name : (err.constructor && err.constructor.name) || "Error";
    return {
      errorType,
      errorMessage: err.message,
      trace: String(err.stack || "").split("\n"),
    };
  }
  // Non-Error values: AWS reports the value itself as the message.
  return {
    errorType: "string",
    errorMessage: typeof err === "string" ? err : JSON.stringify(err),
    trace: [],
  };
}

let currentRequestId = "";
function patchConsole() {
  const levels = { log: "INFO", info: "INFO", warn: "WARN", error: "ERROR", debug: "DEBUG", trace: "TRACE" };
  const util = require("util");
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      const line = `${new Date().toISOString()}\t${currentRequestId || "undefined"}\t${level}\t${util.format(...args)}\n`;
      process.stdout.write(line.replace(/\n(?!$)/g, "\r"));
    };
  }
}

async function loadModule(root, moduleName) {
  const base = path.resolve(root, moduleName);
  for (const ext of [".js", ".mjs", ".cjs"]) {
    const file = base + ext;
    if (!fs.existsSync(file)) continue;
    if (ext === ".mjs") return import(pathToFileURL(file).href);
    try {
      return require(file);
    } catch (e) {
      // A .js file in a "type": "module" package is an ES module.
      if (e && (e.code === "ERR_REQUIRE_ESM" || e.code === "ERR_REQUIRE_ASYNC_MODULE")) {
        return import(pathToFileURL(file).href);
      }
      if (e instanceof SyntaxError) throw new Fault("Runtime.UserCodeSyntaxError", `${e.name}: ${e.message}`);
      throw e;
    }
  }
  throw new Fault("Runtime.ImportModuleError", `Error: Cannot find module '${moduleName}'`);
}

async function loadHandler(handler) {
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  const dot = handler.lastIndexOf(".");
  const slash = handler.lastIndexOf("/");
  if (dot === -1 || dot < slash) {
    throw new Fault("Runtime.MalformedHandlerName", `Bad handler ${handler}`);
  }
  const moduleName = handler.slice(0, dot);
  const exportPath = handler.slice(dot + 1);
  const module = await loadModule(root, moduleName);
  let fn = module;
  for (const key of exportPath.split(".")) fn = fn == null ? undefined : fn[key];
  // An ES module's CommonJS-style default export.
  if (fn === undefined && module && module.default) {
    fn = module.default;
    for (const key of exportPath.split(".")) fn = fn == null ? undefined : fn[key];
  }
  if (typeof fn !== "function") {
    throw new Fault("Runtime.HandlerNotFound", `${handler} is undefined or not exported`);
  }
  return fn;
}

function makeContext(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
  const parse = (name) => {
    const value = headers[name];
    return value ? JSON.parse(value) : undefined;
  };
  return {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: parse("lambda-runtime-cognito-identity"),
    clientContext: parse("lambda-runtime-client-context"),
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
}

// What to do once the event loop is empty ('beforeExit': nothing but our own idle keep-alive
// socket, which the agent unrefs, is left), set per invocation.
let onEmptyLoop = null;
process.on("beforeExit", () => {
  const listener = onEmptyLoop;
  onEmptyLoop = null;
  if (listener) listener();
});

// Runs the handler the way AWS's Node.js runtime does; resolves with its result, rejects with its
// error. A returned promise answers when it settles; context.done/succeed/fail answer at once;
// the callback answers errors at once and results once the event loop is empty, unless the
// handler set context.callbackWaitsForEmptyEventLoop to false (then at once, and whatever is still
// pending runs on between invocations). A handler that does neither answers null once the event
// loop is empty; a plain return value is ignored, as in Lambda.
function run(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    let called = false;
    let waits = true;
    const settle = (err, result) => {
      if (settled) return;
      settled = true;
      onEmptyLoop = null;
      if (err !== undefined && err !== null) reject(err);
      else resolve(result);
    };
    // Only the first of callback/done/succeed/fail counts.
    const once = (fn) => (...args) => {
      if (called) return;
      called = true;
      fn(...args);
    };
    const callback = once((err, result) => {
      if ((err !== undefined && err !== null) || !waits) return settle(err, result);
      onEmptyLoop = () => setImmediate(() => settle(null, result));
    });
    Object.defineProperty(context, "callbackWaitsForEmptyEventLoop", {
      get: () => waits,
      set: (value) => {
        waits = value;
      },
      enumerable: true,
      configurable: true,
    });
    context.done = once(settle);
    context.succeed = once((result) => settle(null, result));
    context.fail = once((err) => settle(err === undefined || err === null ? "handled" : err));
    onEmptyLoop = () => settle(null, null);
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (e) {
      return callback(e);
    }
    if (returned && typeof returned.then === "function") {
      returned.then(context.succeed, (e) => context.fail(e === undefined || e === null ? new Error(String(e)) : e));
    }
  });
}

async function postError(urlPath, error) {
  console.error(`${error.errorType}: ${error.errorMessage}`);
  await request("POST", urlPath, JSON.stringify(error), {
    "Content-Type": "application/json",
    "Lambda-Runtime-Function-Error-Type": error.errorType,
  });
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER || "");
  } catch (e) {
    await postError("/init/error", toError(e));
    process.exit(1);
  }
  for (;;) {
    const next = await request("GET", "/invocation/next");
    if (next.status !== 200) {
      process.stdout.write(`[ERROR] runtime API refused the next invocation: ${next.status}\n`);
      process.exit(1);
    }
    const requestId = next.headers["lambda-runtime-aws-request-id"] || "";
    currentRequestId = requestId;
    const trace = next.headers["lambda-runtime-trace-id"];
    if (trace) process.env._X_AMZN_TRACE_ID = trace;
    else delete process.env._X_AMZN_TRACE_ID;
    let event, context;
    try {
      const text = next.body.toString("utf8");
      event = text ? JSON.parse(text) : undefined;
      context = makeContext(next.headers);
    } catch (e) {
      await postError(`/invocation/${requestId}/error`, toError(new Fault("Runtime.UnmarshalError", `Unable to parse input as json: ${e.message}`)));
      continue;
    }
    try {
      const result = await run(handler, event, context);
      const payload = JSON.stringify(result === undefined ? null : result);
      await request("POST", `/invocation/${requestId}/response`, payload, { "Content-Type": "application/json" });
    } catch (e) {
      await postError(`/invocation/${requestId}/error`, toError(e));
    }
  }
}

main().catch((e) => {
  process.stderr.write(`[ERROR] runtime client failed: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
