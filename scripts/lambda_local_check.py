"""Set-up and checks for scripts/lambda-local (runs in .venv, where moto brings boto3).

setup BUCKET SECRET_FILE          create the bucket, the tenant "demo" secret and the work
                                  queue in moto; print the queue's URL
deliver QUEUE_URL EVENT_FILE      receive the one message a tick dispatched and write it as
                                  the SQS event the event source mapping would send
verify BUCKET STATE_DIR QUEUE_URL FN...
                                  check every reply and the objects the functions wrote
"""
import json
import os
import sys

import boto3

TENANT = "demo"


def client(service):
    return boto3.client(
        service, endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1"
    )


def setup(bucket, secret_file):
    client("s3").create_bucket(Bucket=bucket)
    with open(secret_file) as f:
        secret = f.read().strip()
    json.loads(secret)  # the simulator printed a whole secret
    client("secretsmanager").create_secret(
        Name=f"okta-ingest/tenants/{TENANT}", SecretString=secret
    )
    print(client("sqs").create_queue(QueueName=bucket)["QueueUrl"])


def deliver(queue_url, event_file):
    sqs = client("sqs")
    got = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=5
    ).get("Messages", [])
    if len(got) != 1:
        fail(f"a tick for one tenant should queue one message, found {len(got)}: {got}")
    message = got[0]
    # Acknowledged now: the worker's reply is checked in verify, not retried here.
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    event = {"Records": [{
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:okta-ingest-lambda-local",
        "awsRegion": "us-east-1",
    }]}
    with open(event_file, "w") as f:
        json.dump(event, f)


def load(path):
    with open(path) as f:
        text = f.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        sys.exit(f"{path}: the reply is not JSON:\n{text}")


def fail(msg):
    sys.exit(f"lambda-local check failed: {msg}")


def manifests(s3, bucket, resource):
    """The tenant's manifests of `resource`, one per run."""
    prefix = f"lambda/_manifests/{resource}/tenant={TENANT}/"
    return [
        json.load(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"])
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for o in page.get("Contents", [])
    ]


def verify(bucket, state, queue_url, functions):
    s3 = client("s3")
    # The runs made in the invocation itself.
    direct = {load(f"{state}/{fn}-tenant.json")["run_id"] for fn in functions}
    direct.add(load(f"{state}/okta-logs-logs-backfill.json")["run_id"])
    keys = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="lambda/"):
        keys.update(o["Key"][len("lambda/"):] for o in page.get("Contents", []))
    for fn in functions:
        # A one-tenant invoke runs in the invocation itself.
        reply = load(f"{state}/{fn}-tenant.json")
        tenants = {t["tenant"]: t for t in reply.get("tenants", [])}
        if TENANT not in tenants:
            fail(f"{fn} tenant.json: no summary for tenant {TENANT}: {reply}")
        resources = tenants[TENANT]["resources"]
        for res in resources:
            name = res["resource"]
            if res["status"] != "complete":
                fail(f"{fn} tenant.json: {name} is {res['status']}: {res.get('reason')}")
            if res["records"] > 0 and not any(k.startswith(f"{name}/tenant={TENANT}/") for k in keys):
                fail(f"{fn}: {name} reports {res['records']} records but wrote no parts")
        print(f"{fn} tenant.json: " + ", ".join(f"{r['resource']}={r['records']}" for r in resources))

        # A tick only dispatches; the worker's run is the one its message started.
        dispatched = load(f"{state}/{fn}-scheduled.json")
        if dispatched.get("dispatched") != 1:
            fail(f"{fn} scheduled.json: expected one message dispatched, got {dispatched}")
        work = load(f"{state}/{fn}-sqs-work.json")
        if work != {"batchItemFailures": []}:
            fail(f"{fn} worker: the mapping would retry: {work}")
        runs = []
        for res in resources:
            # Besides the direct run (and okta-logs' backfill), exactly one run: the worker's.
            found = [m for m in manifests(s3, bucket, res["resource"]) if m["run_id"] not in direct]
            if len(found) != 1:
                fail(f"{fn}: {res['resource']} has {len(found)} worker manifests, not 1")
            worker = found[0]
            # okta-logs' worker finds the lease free and the log caught up: complete too.
            if worker["status"] != "complete":
                fail(f"{fn} worker: {res['resource']} is {worker['status']}: {worker.get('reason')}")
            runs.append(f"{res['resource']}={worker['records']}")
        print(f"{fn} scheduled.json → 1 message → worker: " + ", ".join(runs))
        check = load(f"{state}/{fn}-check.json")
        statuses = check.get("checks", [])
        if not statuses or not all(s["active"] for s in statuses):
            fail(f"{fn} check: not Active: {check}")
    backfill = load(f"{state}/okta-logs-logs-backfill.json")
    res = backfill["tenants"][0]["resources"][0]
    if res["status"] != "complete":
        fail(f"okta-logs backfill: {res}")
    if f"_status/tenant={TENANT}/integration.json" not in keys:
        fail("the connection check wrote no _status object")
    attrs = client("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["All"]
    )["Attributes"]
    left = sum(int(attrs[a]) for a in (
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
    ))
    if left:
        fail(f"{left} messages left on the work queue (a put-back or continuation): {attrs}")
    print(f"{len(keys)} objects written; the work queue is empty")


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "deliver":
        deliver(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "verify":
        verify(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    else:
        sys.exit(__doc__)
