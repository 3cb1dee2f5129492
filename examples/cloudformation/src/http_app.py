"""Handler of examples/cloudformation/http.yaml: echoes the route and the item id (payload 2.0)."""

import json


def handler(event, context):
    item_id = (event.get("pathParameters") or {}).get("id")
    body = {"routeKey": event.get("routeKey"), "id": item_id}
    return {
        "statusCode": 200,
        "headers": {"content-type": "application/json"},
        "body": json.dumps(body),
    }
