"""Handlers for the tests, one per behaviour the tests name in the Handler string."""

import decimal
import logging
import os
import sys
import time


def echo(event, context):
    return {
        "event": event,
        "requestId": context.aws_request_id,
        "functionName": context.function_name,
        "functionVersion": context.function_version,
        "invokedFunctionArn": context.invoked_function_arn,
        "memoryLimitInMB": context.memory_limit_in_mb,
        "logGroupName": context.log_group_name,
        "logStreamName": context.log_stream_name,
        "remainingMs": context.get_remaining_time_in_millis(),
        "pid": os.getpid(),
        "cwd": os.getcwd(),
        "taskRootFirst": sys.path[0],
        "env": dict(os.environ) if event.get("env") else None,
    }


def logs(event, context):
    print("hello from python")
    print("to stderr", file=sys.stderr)
    logging.getLogger().warning("a warning")
    logging.getLogger().info("an info line, below the default level")
    return "logged"


def fails(event, context):
    raise ValueError("boom")


def not_serializable(event, context):
    return {"items": {1, 2}}


def decimals(event, context):
    return {"whole": decimal.Decimal("3"), "fraction": decimal.Decimal("1.5"), "text": "caf\u00e9"}


def returns_none(event, context):
    return None


def returns_bytes(event, context):
    return b"raw bytes"


def sleeps(event, context):
    time.sleep(event["ms"] / 1000)
    return "woke"


def exits(event, context):
    sys.exit(3)


not_callable = 42


_held = []


def hungry(event, context):
    for i in range(event["mb"]):
        _held.append(bytes([i % 256]) * (1 << 20))
    time.sleep(2)
    return len(_held)


def big(event, context):
    return "x" * event["bytes"]
