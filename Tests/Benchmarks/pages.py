"""Dashboard and live-event timings through a running emulator (called by run.sh).

usage: pages.py BASE_URL API_KEY JUNIT_10K_FILE DATABASE_URL

- The run page of a 10,000-case run with 500 failures (long stacks), against the JSON cases call
  for the same rows in the same run: p50 and p95 of the answer time, and the page's size.
- The test page of a test with 100 results.
- Live latency: a client subscribed over the WebSocket API, a shard completing: from the
  complete call's answer to the report.completed event arriving (0 when it came first).
"""
import hashlib
import json
import socket
import statistics
import sys
import time
import urllib.request
import uuid


from api_client import API, must, wait_quiet

base, key, junit_path, database = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
call = API(base, key).call


def shard(run_id, name, report):
    digest = hashlib.sha256(report).hexdigest()
    registered = must(*call("POST", "/api/v1/reports/register", {
        "run_id": run_id, "shard": name, "files": [{"name": "r.xml", "kind": "report", "size": len(report), "sha256": digest}]}),
        200, 201)
    for upload in registered["uploads"]:
        must(*call("PUT", upload["url"], raw=report), 200)
    return registered["complete_url"]


def timed(path, rounds):
    times, size = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        with urllib.request.urlopen(base + path) as response:
            body = response.read()
        times.append((time.perf_counter() - started) * 1000)
        size = len(body)
    times.sort()
    return times, size


def percentile(values, p):
    return values[min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))]


# The 10,000-case run.
report = open(junit_path, "rb").read()
run = must(*call("POST", "/api/v1/reports/begin", {"project": "bench-pages", "ci_run_id": str(uuid.uuid4()),
                                                      "total_reports_expected": 1}), 201)
must(*call("POST", shard(run["run_id"], "1", report)), 200)
totals = must(*call("GET", f"/api/v1/runs/{run['run_id']}"), 200)["totals"]
page_path = f"/runs/{run['run_id']}"
json_path = f"/api/v1/runs/{run['run_id']}/cases?limit=100"
wait_quiet(database)  # the run's completion work, after the upload's answer
timed(page_path, 5), timed(json_path, 5)  # warm both functions
page, json_cases = [], []
for _ in range(6):  # interleaved, so both see the same spells of a busy host
    page += timed(page_path, 5)[0]
    json_cases += timed(json_path, 5)[0]
page.sort(), json_cases.sort()
page_bytes = timed(page_path, 1)[1]
ratio = statistics.median(page) / statistics.median(json_cases)
print(f"pages: run page, {totals['tests']:,} cases, {totals['failed'] + totals['errors']} failures: "
      f"p50 {statistics.median(page):.1f} ms, p95 {percentile(page, 95):.1f} ms, {page_bytes / 1024:.0f} KB   "
      f"[target p95 <= 300 ms, <= 1 MB]")
print(f"pages: run page vs JSON GET /api/v1/runs/{{id}}/cases (100 rows, p50 {statistics.median(json_cases):.1f} ms): "
      f"{ratio:.2f}x   [target <= 2x]")

# A test with 100 results.
tiny = b'<testsuite name="history"><testcase classname="bench.History" name="repeats" time="0.25"/></testsuite>'
for index in range(100):
    must(*call("POST", f"/api/v1/reports?project=bench-history&ci_run_id=h{index}", raw=tiny), 201)
runs = must(*call("GET", "/api/v1/runs?project=bench-history&limit=1"), 200)["items"]
case = must(*call("GET", f"/api/v1/runs/{runs[0]['id']}/cases"), 200)["items"][0]
test_path = f"/tests/{case['test_id']}"
timed(test_path, 5)
test_times, test_bytes = timed(test_path, 30)
print(f"pages: test page, 100 results: p50 {statistics.median(test_times):.1f} ms, p95 {percentile(test_times, 95):.1f} ms, "
      f"{test_bytes / 1024:.0f} KB   [target p95 <= 100 ms]")


class WebSocket:
    """Just enough of RFC 6455 for a client that reads text frames."""

    def __init__(self, url):
        host, port = url.split("//")[1].split("/")[0].split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=10)
        self.sock.sendall((f"GET /ws HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            sys.exit(f"live: no upgrade: {head!r}")
        self.buffer = b""

    def send(self, text):
        data = text.encode()
        mask = b"\x01\x02\x03\x04"
        header = bytes([0x81, 0x80 | len(data)]) if len(data) < 126 else bytes([0x81, 0xFE]) + len(data).to_bytes(2, "big")
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def receive(self):
        def take(count):
            while len(self.buffer) < count:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise EOFError
                self.buffer += chunk
            data, self.buffer = self.buffer[:count], self.buffer[count:]
            return data
        first, second = take(2)
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(take(2), "big")
        elif length == 127:
            length = int.from_bytes(take(8), "big")
        payload = take(length)
        return json.loads(payload) if first & 0x0F == 1 else None


latencies = []
client = WebSocket(base)
small = b'<testsuite name="live"><testcase classname="bench.Live" name="one"/></testsuite>'
for index in range(20):
    live_run = must(*call("POST", "/api/v1/reports/begin", {"project": "bench-live", "ci_run_id": f"live-{uuid.uuid4()}",
                                                             "total_reports_expected": 1}), 201)
    client.send(json.dumps({"action": "subscribe", "run_id": live_run["run_id"]}))
    while (client.receive() or {}).get("type") != "subscribed":
        pass
    complete_url = shard(live_run["run_id"], "1", small)
    must(*call("POST", complete_url), 200)
    answered = time.perf_counter()
    while True:
        event = client.receive() or {}
        if event.get("type") == "report.completed" and event.get("run_id") == live_run["run_id"]:
            break
    # The event is pushed before the function answers, so it is often waiting already.
    latencies.append(max(0.0, (time.perf_counter() - answered) * 1000))
latencies.sort()
print(f"live: complete's answer -> report.completed at a subscribed client, 20 shards: "
      f"p50 {statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 95):.1f} ms   [target p95 <= 250 ms]")
