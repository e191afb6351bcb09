"""GET|POST /v1/hello with payload format 1.0: the event has httpMethod, path and multiValueHeaders."""
import json


def handler(event, context):
    return {
        "statusCode": 200,
        "multiValueHeaders": {"X-Version": [event["version"]]},
        "body": json.dumps({"method": event["httpMethod"], "path": event["path"], "resource": event["resource"],
                            "query": event["multiValueQueryStringParameters"]}),
    }
