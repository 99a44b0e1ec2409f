"""Set-up and checks for scripts/lambda-local (runs in .venv, where moto brings boto3).

setup BUCKET SECRET_FILE          create the bucket and the tenant "demo" secret in moto
verify BUCKET STATE_DIR FN...     check every reply and the objects the functions wrote
"""
import json
import os
import sys

import boto3

TENANT = "demo"


def clients():
    kw = {"endpoint_url": os.environ["AWS_ENDPOINT_URL"], "region_name": "us-east-1"}
    return boto3.client("s3", **kw), boto3.client("secretsmanager", **kw)


def setup(bucket, secret_file):
    s3, sm = clients()
    s3.create_bucket(Bucket=bucket)
    with open(secret_file) as f:
        secret = f.read().strip()
    json.loads(secret)  # the simulator printed a whole secret
    sm.create_secret(Name=f"okta-ingest/tenants/{TENANT}", SecretString=secret)


def load(path):
    with open(path) as f:
        text = f.read()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        sys.exit(f"{path}: the reply is not JSON:\n{text}")


def fail(msg):
    sys.exit(f"lambda-local check failed: {msg}")


def verify(bucket, state, functions):
    s3, _ = clients()
    keys = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="lambda/"):
        keys.update(o["Key"][len("lambda/"):] for o in page.get("Contents", []))
    for fn in functions:
        for event in ("tenant.json", "scheduled.json"):
            reply = load(f"{state}/{fn}-{event}")
            tenants = {t["tenant"]: t for t in reply.get("tenants", [])}
            if TENANT not in tenants:
                fail(f"{fn} {event}: no summary for tenant {TENANT}: {reply}")
            for res in tenants[TENANT]["resources"]:
                name = res["resource"]
                # okta-logs' second run finds the lease free and the log caught up: complete too.
                if res["status"] != "complete":
                    fail(f"{fn} {event}: {name} is {res['status']}: {res.get('reason')}")
                manifest = f"_manifests/{name}/tenant={TENANT}/"
                if not any(k.startswith(manifest) for k in keys):
                    fail(f"{fn}: no manifest under {manifest}")
                if res["records"] > 0 and not any(k.startswith(f"{name}/tenant={TENANT}/") for k in keys):
                    fail(f"{fn}: {name} reports {res['records']} records but wrote no parts")
            print(f"{fn} {event}: " + ", ".join(
                f"{r['resource']}={r['records']}" for r in tenants[TENANT]["resources"]))
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
    print(f"{len(keys)} objects written")


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "verify":
        verify(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(__doc__)
