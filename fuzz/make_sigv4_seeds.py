#!/usr/bin/env python3
"""Writes the fuzz_sigv4 seed corpus from requests that real clients signed.

Each client sends to a throw-away capture server on 127.0.0.1 (nothing leaves the
machine) with botocore's clock pinned to the fuzz target's fixed clock
(2015-08-30T12:36:00Z) and the target's fixed key (AKIDEXAMPLE, the AWS test-suite
key), so every seed verifies inside fuzz_sigv4 and the fuzzer starts from accepted
requests. Output: fuzz/corpus/fuzz_sigv4/<client>_<action>, in the target's text
format (request line, headers, blank line, body; see fuzz/fuzz_sigv4.cc).

  /usr/bin/python3 fuzz/make_sigv4_seeds.py    # Debian boto3 (Query protocol)
  python3 fuzz/make_sigv4_seeds.py             # a newer boto3 and aws-cli (JSON protocol)
"""
import datetime
import http.server
import os
import subprocess
import sys
import threading
from unittest import mock

KEY, SECRET = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
FIXED = datetime.datetime(2015, 8, 30, 12, 36, 0)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_sigv4")
captured = []


class Capture(http.server.BaseHTTPRequestHandler):
    def handle_one(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        head = f"{self.command} {self.path}\n".encode()
        for name, value in self.headers.items():
            head += f"{name}: {value}\n".encode()
        captured.append(head + b"\n" + body)
        reply = b"<ErrorResponse><Error><Type>Sender</Type><Code>Captured</Code><Message>seed</Message></Error></ErrorResponse>"
        self.send_response(400)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = handle_one

    def log_message(self, *args):
        pass


def pinned_clock():
    import botocore.auth
    fake = mock.MagicMock(wraps=datetime.datetime)
    fake.utcnow.return_value = FIXED
    fake.now.return_value = FIXED.replace(tzinfo=datetime.timezone.utc)
    return mock.patch.object(botocore.auth.datetime, "datetime", fake)


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    print("wrote", name)


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"

    import boto3
    from botocore.config import Config
    c = boto3.client("sqs", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=KEY,
                     aws_secret_access_key=SECRET, config=Config(retries={"max_attempts": 1}))
    proto = c.meta.service_model.protocol  # "query" (Debian) or "json"
    q = f"{endpoint}/000000000000/jobs"
    calls = {
        "send": lambda: c.send_message(QueueUrl=q, MessageBody="hello wörld & <tags>",
                                       MessageAttributes={"k": {"DataType": "String", "StringValue": "v"}}),
        "list": lambda: c.list_queues(QueueNamePrefix="jo"),
        "batch": lambda: c.delete_message_batch(QueueUrl=q, Entries=[{"Id": "a", "ReceiptHandle": "r+/="}]),
    }
    with pinned_clock():
        for action, fn in calls.items():
            captured.clear()
            try:
                fn()
            except Exception:
                pass
            write(f"boto3_{proto}_{action}", captured[-1])
        if proto == "query":
            # HttpMethod="GET": without it botocore signs the Query protocol's POST.
            url = c.generate_presigned_url("list_queues", Params={"QueueNamePrefix": "a b"}, ExpiresIn=3600,
                                           HttpMethod="GET")
            write("boto3_presigned_list", b"GET " + url[len(endpoint):].encode() + b"\nHost: " +
                  endpoint[len("http://"):].encode() + b"\n\n")
            url = c.generate_presigned_url("get_queue_attributes", Params={"QueueUrl": q, "AttributeNames": ["All"]},
                                           ExpiresIn=60, HttpMethod="GET")
            write("boto3_presigned_attrs", b"GET " + url[len(endpoint):].encode() + b"\nHost: " +
                  endpoint[len("http://"):].encode() + b"\n\n")

    if subprocess.run([sys.executable, "-c", "import awscli.clidriver"], capture_output=True).returncode == 0:
        # aws-cli on this interpreter's botocore, clock pinned the same way.
        runner = ("import sys, datetime; from unittest import mock; import botocore.auth\n"
                  "fake = mock.MagicMock(wraps=datetime.datetime)\n"
                  "fake.utcnow.return_value = datetime.datetime(2015, 8, 30, 12, 36, 0)\n"
                  "fake.now.return_value = fake.utcnow.return_value.replace(tzinfo=datetime.timezone.utc)\n"
                  "mock.patch.object(botocore.auth.datetime, 'datetime', fake).start()\n"
                  "from awscli.clidriver import main; sys.exit(main())\n")
        env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_DEFAULT_REGION="us-east-1",
                   AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_MAX_ATTEMPTS="1")
        for action, args in {"receive": ["receive-message", "--queue-url", q, "--max-number-of-messages", "10"],
                             "create": ["create-queue", "--queue-name", "jobs.fifo", "--attributes",
                                        "FifoQueue=true"]}.items():
            captured.clear()
            subprocess.run([sys.executable, "-c", runner, "sqs", *args, "--endpoint-url", endpoint],
                           env=env, capture_output=True, check=False)
            if captured:
                write(f"awscli_{proto}_{action}", captured[-1])
    server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
