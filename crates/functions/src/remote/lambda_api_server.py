"""A stand-in for Lambda's Invoke API that checks SigV4 signatures with botocore.

Test fixture for Turnpike's remote invoke. Usage: python lambda_api_server.py ACCESS_KEY SECRET;
prints the port it listens on (127.0.0.1), then serves until killed. Every request's signature
is recomputed with botocore's SigV4Auth (an implementation independent of Turnpike's) from the
headers the request names as signed; a mismatch answers 403 InvalidSignatureException as Lambda
does. Functions, by name:
  echo   -> 200, the result {"statusCode": 200, "body": <JSON of what was received>}
  boom   -> 200 with X-Amz-Function-Error: Unhandled and a Python-style error document
  slow   -> sleeps 3 s, then answers like echo
  close  -> answers like echo with Connection: close, and closes the connection
  anything else -> 404 ResourceNotFoundException
GET /connections (unsigned, the tests' own) answers {"connections": N}: how many distinct TCP
connections have carried an invocation so far.
"""
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ACCESS_KEY, SECRET = sys.argv[1], sys.argv[2]
# Client (address, port) of every connection that carried an invocation.
INVOKING_CONNECTIONS = set()


def check_signature(handler, body):
    auth = handler.headers.get("authorization", "")
    prefix = "AWS4-HMAC-SHA256 "
    if not auth.startswith(prefix):
        return "Missing Authentication Token"
    fields = dict(part.strip().split("=", 1) for part in auth[len(prefix):].split(","))
    access_key, date, region, service, terminator = fields["Credential"].split("/")
    if access_key != ACCESS_KEY:
        return "The security token included in the request is invalid."
    signed = fields["SignedHeaders"].split(";")
    headers = {name: handler.headers[name] for name in signed}
    request = AWSRequest(method=handler.command, url="http://" + handler.headers["host"] + handler.path,
                         data=body, headers=headers)
    request.context["timestamp"] = handler.headers["x-amz-date"]
    credentials = Credentials(access_key, SECRET, handler.headers.get("x-amz-security-token"))
    signer = SigV4Auth(credentials, service, region)
    canonical = signer.canonical_request(request)
    expected = signer.signature(signer.string_to_sign(request, canonical), request)
    if (service, terminator, date) != ("lambda", "aws4_request", request.context["timestamp"][:8]):
        return "Credential should be scoped to correct service: 'lambda'."
    if expected != fields["Signature"]:
        return ("The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method.")
    return None


class Lambda(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, document, headers=()):
        body = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.send_header("x-amzn-RequestId", "11111111-2222-3333-4444-555555555555")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/connections":
            return self.reply(200, {"connections": len(INVOKING_CONNECTIONS)})
        return self.reply(404, {"message": "Unknown path"}, [("x-amzn-ErrorType", "UnknownOperationException")])

    def do_POST(self):
        INVOKING_CONNECTIONS.add(self.client_address)
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        problem = check_signature(self, body)
        if problem:
            return self.reply(403, {"message": problem}, [("x-amzn-ErrorType", "InvalidSignatureException")])
        parts = self.path.split("/")
        if len(parts) != 5 or parts[1:3] != ["2015-03-31", "functions"] or parts[4] != "invocations":
            return self.reply(404, {"message": "Unknown path"}, [("x-amzn-ErrorType", "UnknownOperationException")])
        function = unquote(parts[3])
        name = function.split(":")[6] if function.startswith("arn:") else function
        received = {
            "function": function,
            "invocationType": self.headers.get("x-amz-invocation-type"),
            "event": json.loads(body),
        }
        if name == "echo":
            return self.reply(200, {"statusCode": 200, "body": json.dumps(received)})
        if name == "close":
            return self.reply(200, {"statusCode": 200, "body": json.dumps(received)}, [("Connection", "close")])
        if name == "boom":
            error = {"errorMessage": "remote boom", "errorType": "ValueError",
                     "requestId": "11111111-2222-3333-4444-555555555555", "stackTrace": []}
            return self.reply(200, error, [("X-Amz-Function-Error", "Unhandled")])
        if name == "slow":
            time.sleep(3)
            return self.reply(200, {"statusCode": 200, "body": json.dumps(received)})
        return self.reply(404, {"Type": "User", "message": "Function not found: " + function},
                          [("x-amzn-ErrorType", "ResourceNotFoundException")])


server = ThreadingHTTPServer(("127.0.0.1", 0), Lambda)
print(server.server_address[1], flush=True)
server.serve_forever()
