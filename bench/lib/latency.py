"""Light-load latency: one email at a time, POST /emails, then GET /emails/{id} until it is SENT.

Prints one JSON object, in milliseconds: client-observed POST->SENT percentiles (until a GET
shows SENT, so they include the polling: a GET every POLL_S plus its own time), the POST's own
response time, POST->sentAt on the shared clock (client and service run on the same machine: the
moment the relay took the email, without the polling and the result write), the service's own
createdAt->sentAt, and each GET's own response time. Every wait is bounded.
"""

import http.client
import json
import sys
import time
from datetime import datetime

host, port, key, count, warmup = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
BODY = json.dumps({"to": ["bench@sink.example"], "template": "welcome",
                   "variables": {"name": "Ada", "productName": "Acme",
                                 "actionUrl": "https://acme.example/start"}}).encode()
HEADERS = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
PER_EMAIL_TIMEOUT_S = 10.0
POLL_S = 0.001

conn = http.client.HTTPConnection(host, port, timeout=10)


def request(method, path, body=None):
    for attempt in (1, 2):
        try:
            conn.request(method, path, body=body, headers=HEADERS)
            resp = conn.getresponse()
            return resp.status, resp.read()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed a kept-alive connection (Tomcat's keep-alive limit): reconnect.
            conn.close()
            if attempt == 2 or method == "POST":
                raise


def instant(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    rank = max(1, int(round(p / 100.0 * len(sorted_values) + 0.5 - 1e-9)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


client, stored, posted, relayed, gets, timeouts = [], [], [], [], [], 0
for i in range(warmup + count):
    started_wall = time.time()
    started = time.perf_counter()
    status, body = request("POST", "/emails", BODY)
    post_ms = (time.perf_counter() - started) * 1000
    if status != 202:
        sys.exit("POST /emails answered %d: %s" % (status, body[:300]))
    email_id = json.loads(body)["id"]
    view = None
    polls = []
    while time.perf_counter() - started < PER_EMAIL_TIMEOUT_S:
        asked = time.perf_counter()
        status, body = request("GET", "/emails/" + email_id)
        polls.append((time.perf_counter() - asked) * 1000)
        view = json.loads(body) if status == 200 else None
        if view and view.get("status") in ("SENT", "FAILED", "CANCELLED"):
            break
        time.sleep(POLL_S)
    elapsed_ms = (time.perf_counter() - started) * 1000
    if not view or view.get("status") != "SENT":
        timeouts += 1
        continue
    if i >= warmup:
        client.append(elapsed_ms)
        stored.append((instant(view["sentAt"]) - instant(view["createdAt"])).total_seconds() * 1000)
        posted.append(post_ms)
        gets.extend(polls)
        relayed.append((instant(view["sentAt"]).timestamp() - started_wall) * 1000)
    time.sleep(0.005)

for values in (client, stored, posted, relayed, gets):
    values.sort()
print(json.dumps({
    "emails": len(client), "not_sent": timeouts,
    "client_p50_ms": percentile(client, 50), "client_p99_ms": percentile(client, 99),
    "client_max_ms": client[-1] if client else None,
    "stored_p50_ms": percentile(stored, 50), "stored_p99_ms": percentile(stored, 99),
    "post_p50_ms": percentile(posted, 50), "post_p99_ms": percentile(posted, 99),
    "relayed_p50_ms": percentile(relayed, 50), "relayed_p99_ms": percentile(relayed, 99),
    "gets": len(gets), "get_p50_ms": percentile(gets, 50), "get_p99_ms": percentile(gets, 99),
}))
