"""The greeting function of lambda/greeting, in Python: the same answers, for the benchmarks."""


class MissingGreeter(Exception):
    pass


def handler(event, context):
    greeter = event.get("greeter")
    if greeter is None:
        raise MissingGreeter("Missing the required greeter parameter.")
    body = "Hello, World" if greeter == "" else "Hello, %s!" % greeter
    return {"statusCode": 200, "headers": {"Content-Type": "*/*"}, "body": body}
