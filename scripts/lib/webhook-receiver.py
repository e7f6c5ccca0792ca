#!/usr/bin/python3
"""A webhook receiver for scripts/acceptance-postfix.sh that checks every request itself.

Each request is verified per Standard Webhooks: the HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>",
keyed with the base64-decoded part of the endpoint's secret after "whsec_", must equal one of the
"v1,<base64>" signatures of webhook-signature, and the timestamp must be within 5 minutes of now.
The secret of the endpoint at path /<name> is read, at each request, from <secrets-dir>/<name>.secret
(so the receiver can start before the endpoint exists). Every request is appended to the log as one
JSON line: path, webhook-id, type, emailId, recipient, data's SMTP status, verified and why not.
Answers 204, after an optional delay (to keep deliveries in flight), or 503 when unverified.

    webhook-receiver.py <port> <secrets-dir> <log-file> [delay-ms]
"""
import base64
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
SECRETS = sys.argv[2]
LOG = sys.argv[3]
DELAY = int(sys.argv[4]) / 1000.0 if len(sys.argv) > 4 else 0.0
TOLERANCE_S = 300
lock = threading.Lock()
out = open(LOG, "a", buffering=1)


def secret_for(path):
    name = path.strip("/").split("/")[0] or "default"
    try:
        with open(os.path.join(SECRETS, name + ".secret")) as f:
            return f.read().strip()
    except OSError:
        return None


def verify(headers, body, secret):
    msg_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (msg_id and timestamp and signatures):
        return "missing webhook-id, webhook-timestamp or webhook-signature"
    if not secret or not secret.startswith("whsec_"):
        return "no whsec_ secret for this path"
    try:
        ts = int(timestamp)
    except ValueError:
        return "webhook-timestamp is not an integer"
    if abs(time.time() - ts) > TOLERANCE_S:
        return "webhook-timestamp is more than 5 minutes away"
    key = base64.b64decode(secret[len("whsec_"):])
    expected = base64.b64encode(
        hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    for signature in signatures.split(" "):
        version, _, value = signature.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return None
    return "no v1 signature matches"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        problem = verify(self.headers, body, secret_for(self.path))
        try:
            event = json.loads(body)
        except ValueError:
            event = {}
        data = event.get("data") or {}
        record = {
            "path": self.path,
            "id": self.headers.get("webhook-id"),
            "type": event.get("type"),
            "emailId": data.get("emailId"),
            "project": data.get("project"),
            "recipient": data.get("recipient"),
            "smtpCode": data.get("smtpCode"),
            "enhancedCode": data.get("enhancedCode"),
            "diagnostic": data.get("diagnostic"),
            "verified": problem is None,
            "problem": problem,
            "at": time.time(),
        }
        with lock:
            out.write(json.dumps(record) + "\n")
        if DELAY:
            time.sleep(DELAY)
        self.send_response(204 if problem is None else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer.daemon_threads = True
ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
