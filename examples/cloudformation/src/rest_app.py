"""The Lambda proxy function behind examples/cloudformation/rest.yaml: echoes what it was asked."""

import json


def handler(event, context):
    body = {
        "message": "hello from a CloudFormation REST API",
        "method": event["httpMethod"],
        "path": event["path"],
        "stage": event["requestContext"]["stage"],
    }
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps(body),
    }
