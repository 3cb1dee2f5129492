"""Hello functions for the SAM example: each returns an API Gateway Lambda proxy response."""

import json
import os


def _response(status, payload):
    return {
        "statusCode": status,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(payload),
    }


def lambda_handler(event, context):
    """GET /Prod/hello on the REST API (payload format 1.0)."""
    greeting = os.environ.get("GREETING", "Hello")
    return _response(
        200,
        {
            "message": f"{greeting} from Turnpike",
            "path": event.get("path"),
            "requestId": context.aws_request_id,
        },
    )


def greet_handler(event, context):
    """GET /hello/{name} on the HTTP API (payload format 2.0)."""
    greeting = os.environ.get("GREETING", "Hello")
    name = (event.get("pathParameters") or {}).get("name", "world")
    return _response(
        200,
        {
            "message": f"{greeting}, {name}!",
            "routeKey": event.get("routeKey"),
            "requestId": context.aws_request_id,
        },
    )
