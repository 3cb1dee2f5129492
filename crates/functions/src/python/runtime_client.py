"""Turnpike's bundled Lambda runtime client for Python.

Implements the Lambda Runtime API loop with the standard library only: import the handler named
by _HANDLER, then for each invocation call handler(event, context) and post the result, or the
exception as {errorMessage, errorType, requestId, stackTrace} the way AWS's awslambdaric does.
"""

import http.client
import importlib
import json
import os
import sys
import time
import traceback

API_ADDRESS = os.environ["AWS_LAMBDA_RUNTIME_API"]
RUNTIME = "/2018-06-01/runtime"
THIS_FILE = os.path.abspath(__file__)


class Fault(Exception):
    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


class RuntimeApi:
    def __init__(self, address):
        self.address = address
        self.connection = None

    def request(self, method, path, body=None, headers=None):
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.address)
            try:
                self.connection.request(method, RUNTIME + path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                return response.status, response.read(), response.headers
            except (ConnectionError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise


class LambdaContext:
    def __init__(self, request_id, deadline_ms, function_arn, client_context, identity):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = function_arn
        self.client_context = client_context
        self.identity = identity
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        remaining = self._deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0


def make_error(message, error_type, stack_trace, request_id=""):
    return {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": stack_trace,
    }


def user_frames(tb):
    frames = traceback.extract_tb(tb)
    while frames and os.path.abspath(frames[0].filename) == THIS_FILE:
        frames = frames[1:]
    return traceback.format_list(frames)


def exception_error(request_id=""):
    error_type, value, tb = sys.exc_info()
    return make_error(str(value), error_type.__name__, user_frames(tb), request_id)


def load_handler(handler):
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, e))
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise Fault(
            "Runtime.BuiltInModuleConflict",
            "Cannot use built-in module {} as a handler module".format(module_name),
        )
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise Fault(
            "Runtime.ImportModuleError",
            "Unable to import module '{}': {}".format(module_name, e),
        )
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise Fault(
            "Runtime.UserCodeSyntaxError",
            "Syntax error in module '{}': {}".format(module_name, e),
            trace,
        )
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise Fault(
            "Runtime.HandlerNotFound",
            "Handler '{}' missing on module '{}'".format(function_name, module_name),
        )


def log_error(error):
    lines = ["[ERROR] {}: {}".format(error["errorType"], error["errorMessage"])]
    if error["stackTrace"]:
        lines.append("Traceback (most recent call last):")
        for frame in error["stackTrace"]:
            lines.extend(frame.splitlines())
    sys.stdout.write("\n".join(lines) + "\n")


def parse_json_header(value, name):
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError as e:
        raise Fault(
            "Runtime.LambdaContextUnmarshalError",
            "Unable to parse {} JSON: {}".format(name, e),
        )


def invoke(api, handler, body, headers):
    request_id = headers.get("Lambda-Runtime-Aws-Request-Id", "")
    trace_id = headers.get("Lambda-Runtime-Trace-Id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        context = LambdaContext(
            request_id,
            int(headers.get("Lambda-Runtime-Deadline-Ms", "0")),
            headers.get("Lambda-Runtime-Invoked-Function-Arn"),
            parse_json_header(headers.get("Lambda-Runtime-Client-Context"), "Client Context"),
            parse_json_header(headers.get("Lambda-Runtime-Cognito-Identity"), "Cognito Identity"),
        )
        try:
            event = json.loads(body) if body else None
        except ValueError as e:
            raise Fault("Runtime.UnmarshalError", "Unable to unmarshal input: {}".format(e))
        result = handler(event, context)
        if isinstance(result, bytes):
            payload = result
        else:
            try:
                payload = json.dumps(result).encode("utf-8")
            except (TypeError, ValueError) as e:
                raise Fault("Runtime.MarshalError", "Unable to marshal response: {}".format(e))
    except Fault as fault:
        error = make_error(fault.message, fault.error_type, fault.trace, request_id)
    except Exception:
        error = exception_error(request_id)
    else:
        status, answer, _ = api.request("POST", "/invocation/{}/response".format(request_id), payload)
        if status != 202:
            sys.stdout.write("[ERROR] runtime API refused the response: {} {}\n".format(status, answer.decode("utf-8", "replace")))
        return
    log_error(error)
    api.request(
        "POST",
        "/invocation/{}/error".format(request_id),
        json.dumps(error).encode("utf-8"),
        {"Lambda-Runtime-Function-Error-Type": error["errorType"], "Content-Type": "application/json"},
    )


def main():
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", os.getcwd()))
    api = RuntimeApi(API_ADDRESS)
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Fault as fault:
        error = make_error(fault.message, fault.error_type, fault.trace)
    except Exception:
        error = exception_error()
    else:
        error = None
    if error is not None:
        log_error(error)
        api.request(
            "POST",
            "/init/error",
            json.dumps(error).encode("utf-8"),
            {"Lambda-Runtime-Function-Error-Type": error["errorType"], "Content-Type": "application/json"},
        )
        sys.exit(1)
    while True:
        status, body, headers = api.request("GET", "/invocation/next")
        if status != 200:
            sys.stdout.write("[ERROR] runtime API refused the next invocation: {}\n".format(status))
            sys.exit(1)
        invoke(api, handler, body, headers)


if __name__ == "__main__":
    main()
