"""Flaky tests: the classifier's measured accuracy, and the flaky list API on a big project.

usage: flaky.py BASE_URL API_KEY VERDICT_BENCH [TESTS RUNS]

- Accuracy: `verdict-bench flaky` (the labelled benchmark: 4,000 synthetic tests with known
  labels plus the corpus' real retries): precision, recall and the confusion matrix.
- The list: a project of TESTS tests x RUNS runs (default 5,000 x 200) uploaded through the real
  one-shot upload, so the watch list is built by the run-completion hook as in production; then
  `GET /api/v1/projects/{id}/flaky` timed (best and median of 7), against the 500 ms target.
"""
import json
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

from api_client import API, must

base, key, bench = sys.argv[1], sys.argv[2], sys.argv[3]
tests_n = int(sys.argv[4]) if len(sys.argv) > 4 else 5000
runs_n = int(sys.argv[5]) if len(sys.argv) > 5 else 200
call = API(base, key).call

# Accuracy.
lines = [json.loads(line) for line in subprocess.run([bench, "flaky"], check=True, capture_output=True, text=True).stdout.splitlines()
         if line.startswith("{")]
accuracy = next(line for line in lines if line["bench"] == "flaky_accuracy")
classify = next(line for line in lines if line["bench"] == "flaky_classify")
verdict = lambda ok: "PASS" if ok else "MISS"
print(f"flaky: accuracy on {accuracy['tests']} labelled tests ({accuracy['synthetic']} synthetic, seed {accuracy['seed']}, "
      f"+{accuracy['corpus_flaky']} real retry passes from the corpus)")
print(f"flaky: precision {accuracy['precision']:.3f}   [target >= 0.95] {verdict(accuracy['precision'] >= 0.95)}")
print(f"flaky: recall {accuracy['recall_detectable']:.3f} of the {accuracy['detectable_flaky']} detectable flaky tests   "
      f"[target >= 0.85] {verdict(accuracy['recall_detectable'] >= 0.85)}; "
      f"{accuracy['recall_failed_visibly']:.3f} of the {accuracy['failed_visibly_flaky']} that failed at all; "
      f"{accuracy['recall']:.3f} of all flaky tests")
classes = ["flaky", "broken", "stable", "insufficient"]
print("flaky: confusion matrix (rows: truth; columns: called)")
print("flaky:   " + "".join(f"{c:>14}" for c in ["truth \\ called"] + classes))
for truth, row in accuracy["confusion"].items():
    print("flaky:   " + f"{truth:>14}" + "".join(f"{row.get(c, 0):>14}" for c in classes))
print(f"flaky: classify {classify['tests']} tests x {classify['observations'] // classify['tests']} results in memory: "
      f"{classify['seconds'] * 1000:.0f} ms")

# The project: a seeded mix of stable, flaky, broken and regressed-then-fixed tests.
rng = random.Random(17)
kinds = []
for index in range(tests_n):
    roll = rng.random()
    if roll < 0.70:
        kinds.append(("stable", 0))
    elif roll < 0.90:
        kinds.append(("flaky", rng.choice([0.02, 0.05, 0.1, 0.2])))
    elif roll < 0.93:
        kinds.append(("broken", rng.randrange(runs_n)))
    else:
        start = rng.randrange(runs_n)
        kinds.append(("regressed", (start, start + rng.randrange(3, 30))))
project = "bench-flaky-" + str(int(time.time()))


def report(run):
    cases = []
    for index, (kind, value) in enumerate(kinds):
        failed = (kind == "flaky" and rng_run[run].random() < value) or (kind == "broken" and run >= value) \
            or (kind == "regressed" and value[0] <= run < value[1])
        body = '<failure message="boom">at line 1</failure>' if failed else ""
        cases.append(f'<testcase classname="suite{index // 50}" name="test {index}" time="0.01">{body}</testcase>')
    return ('<testsuites><testsuite name="bench">' + "".join(cases) + "</testsuite></testsuites>").encode()


rng_run = [random.Random(run) for run in range(runs_n)]
commits = []
for run in range(runs_n):
    # One run in ten tests the previous commit again (a re-run).
    commits.append(commits[-1] if commits and rng.random() < 0.1 else f"{rng.getrandbits(160):040x}")

started = time.perf_counter()
upload_ms = []


def upload(run):
    body = report(run)
    path = (f"/api/v1/reports?project={quote(project)}&branch=main&commit={commits[run]}&ci_run_id=bench-{run}")
    began = time.perf_counter()
    must(*call("POST", path, raw=body), 201)
    upload_ms.append((run, (time.perf_counter() - began) * 1000))


# Two uploads at a time, in run order (the completion hook keeps each test's history in time order).
with ThreadPoolExecutor(2) as pool:
    list(pool.map(upload, range(runs_n)))


def listed():
    count, cursor = 0, ""
    while True:
        more = must(*call("GET", f"/api/v1/projects/{quote(project)}/flaky?branch=main&limit=500" + (f"&cursor={quote(cursor)}" if cursor else "")), 200)
        count += len(more["items"])
        cursor = more["next_cursor"]
        if not cursor:
            return count


# The completion hook runs after each upload's answer: the list is read once the last ones are
# done (the same count three times, half a second apart).
counts = [-1]
while len(counts) < 4 or len(set(counts[-3:])) > 1:
    time.sleep(0.5)
    counts.append(listed())
build_s = time.perf_counter() - started
last = sorted(ms for run, ms in upload_ms if run >= runs_n - 20)
print(f"flaky: {tests_n} tests x {runs_n} runs uploaded through the one-shot upload and the completion hook in {build_s:.1f} s "
      f"(the last 20 uploads' answers, watch list full: p50 {statistics.median(last):.0f} ms each; the hook runs after the answer)")

path = f"/api/v1/projects/{quote(project)}/flaky?branch=main&limit=50"
times = []
for _ in range(7):
    began = time.perf_counter()
    page = must(*call("GET", path), 200)
    times.append((time.perf_counter() - began) * 1000)
count, cursor = len(page["items"]), page["next_cursor"]
while cursor:
    more = must(*call("GET", path + "&limit=500&cursor=" + quote(cursor)), 200)
    count += len(more["items"])
    cursor = more["next_cursor"]
wide = []
for _ in range(3):
    began = time.perf_counter()
    must(*call("GET", path.replace("limit=50", "limit=50&window_days=90")), 200)
    wide.append((time.perf_counter() - began) * 1000)
truth = {kind: sum(1 for k, _ in kinds if k == kind) for kind in ("stable", "flaky", "broken", "regressed")}
print(f"flaky: the project: {truth}; listed flaky or broken over 30 days: {count}")
print(f"flaky: GET /api/v1/projects/{{id}}/flaky (30 days, first page of 50): best {min(times):.0f} ms, "
      f"median {statistics.median(times):.0f} ms   [target <= 500 ms] {verdict(statistics.median(times) <= 500)}")
print(f"flaky: the same over 90 days: best {min(wide):.0f} ms")
