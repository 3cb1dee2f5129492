"""Functions of the WebSocket chat example, one per route. Each gets API Gateway's WebSocket
Lambda proxy event and answers with {"statusCode": ..., "body": ...}."""

import json
import os

import boto3
import botocore.session


def on_connect(event, context):
    """$connect: a status other than 2xx refuses the connection (ws://.../Prod?reject=1)."""
    query = event.get("queryStringParameters") or {}
    if query.get("reject") == "1":
        return {"statusCode": 403, "body": "connection refused"}
    return {"statusCode": 200, "body": "connected"}


def on_disconnect(event, context):
    """$disconnect: the connection is gone already; nothing is sent back."""
    return {"statusCode": 200, "body": "disconnected"}


def send_message(event, context):
    """sendmessage ({"action": "sendmessage", "data": ...}): posts the data to the sender through
    the @connections management API, as the AWS sample posts it to every stored connection."""
    request = event["requestContext"]
    message = json.loads(event.get("body") or "{}")
    payload = json.dumps({"from": request["connectionId"], "data": message.get("data")})
    _management_api(request).post_to_connection(
        ConnectionId=request["connectionId"], Data=payload.encode("utf-8")
    )
    return {"statusCode": 200, "body": "sent"}


def default(event, context):
    """$default, a two-way route: its body goes back to the client."""
    body = json.dumps(
        {
            "error": "unknown action",
            "hint": 'send {"action": "sendmessage", "data": "..."}',
            "received": event.get("body"),
            "connectionId": event["requestContext"]["connectionId"],
        }
    )
    return {"statusCode": 200, "body": body}


def _management_api(request):
    """A client of the API's own @connections endpoint: https on AWS, http when served locally."""
    # Imported here, not at the top, so that the other routes also run on a local Python
    # without boto3 (Lambda's runtime has it; `pip install boto3` for this one).
    import boto3
    import botocore.session

    domain = request["domainName"]
    scheme = "https" if domain.endswith(".amazonaws.com") else "http"
    endpoint = f"{scheme}://{domain}/{request['stage']}"
    options = {}
    if botocore.session.get_session().get_credentials() is None:
        # Lambda always provides credentials; a local run without any signs with placeholders.
        options = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}
    return boto3.client(
        "apigatewaymanagementapi",
        endpoint_url=endpoint,
        region_name=os.environ.get("AWS_REGION", "us-east-1"),
        **options,
    )
