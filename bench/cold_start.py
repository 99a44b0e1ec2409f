#!/usr/bin/env python3
"""Cold start of a function binary, measured locally: how long from exec until it asks the
Lambda Runtime API for its first event (Runtime::from_env done: the environment read, the AWS
clients built, the handler ready), plus the binary's size and its zip's (what Lambda
downloads and unpacks before exec, which this does not time).

A stand-in Runtime API on loopback answers nothing: the timing stops at the first
`GET /runtime/invocation/next`, then the process is killed. No AWS call is made before that
(credentials come from the environment, and the clients connect lazily).

    bench/cold_start.py BINARY [BINARY ...] [--runs 30]
"""

import http.server
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile


class RuntimeApi(http.server.BaseHTTPRequestHandler):
    asked = threading.Event()

    def do_GET(self):  # noqa: N802 (http.server's name)
        if self.path.endswith("/runtime/invocation/next"):
            RuntimeApi.asked.set()
        # No event: the process waits until it is killed.
        time.sleep(5)

    def log_message(self, *args):
        pass


def serve():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RuntimeApi)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def once(binary, api):
    env = {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_RUNTIME_API": api,
        "AWS_LAMBDA_FUNCTION_NAME": "okta-ingest-cold-start",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_LOG_STREAM_NAME": "cold-start",
        "AWS_LAMBDA_LOG_GROUP_NAME": "cold-start",
        "AWS_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "OKTA_INGEST_OUTPUT": "s3://cold-start-bucket",
        "OKTA_INGEST_SECRET_PREFIX": "okta-ingest/",
    }
    RuntimeApi.asked.clear()
    started = time.perf_counter()
    child = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    asked = RuntimeApi.asked.wait(10)
    elapsed = time.perf_counter() - started
    child.kill()
    _, err = child.communicate()
    if not asked:
        sys.exit(f"{binary} never asked for an event: {err.decode(errors='replace')[-500:]}")
    return elapsed


def zipped(binary):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bootstrap.zip")
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(binary, "bootstrap")
        return os.path.getsize(path)


def main():
    args = sys.argv[1:]
    runs = 30
    if "--runs" in args:
        at = args.index("--runs")
        runs = int(args[at + 1])
        del args[at:at + 2]
    if not args:
        sys.exit(__doc__)
    server = serve()
    api = f"127.0.0.1:{server.server_address[1]}"
    print("| binary | size MB | zipped MB | init ms: median | p90 | runs |")
    print("|---|---|---|---|---|---|")
    for binary in args:
        once(binary, api)  # the first exec warms the page cache, as Lambda's disk would be
        times = sorted(once(binary, api) * 1000 for _ in range(runs))
        p90 = times[min(len(times) - 1, int(len(times) * 0.9))]
        print(f"| {binary} | {os.path.getsize(binary) / 1e6:.1f} | {zipped(binary) / 1e6:.1f} "
              f"| {statistics.median(times):.1f} | {p90:.1f} | {runs} |")


if __name__ == "__main__":
    main()
