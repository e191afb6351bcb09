"""GET /py: a Python handler."""
import json
import os


def handler(event, context):
    name = (event.get("queryStringParameters") or {}).get("name", "World")
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "body": json.dumps({"message": f"{os.environ['GREETING']}, {name}!", "function": context.function_name}),
    }
