"""Run comparison and trends timings through a running emulator (called by run.sh).

usage: insights.py BASE_URL API_KEY JUNIT_100K_FILE DATABASE_URL

- Compare: the 100,000-case JUnit file is uploaded as two runs of history and a base (so that a
  test's reference is the median of three runs), then a
  head made from it with about 0.3 % of the tests renamed (removed and new), 1 % two seconds
  slower, 2 % newly failing and a fifth of the failures fixed; GET /api/v1/runs/compare of head
  against base (every category counted, each list of up to 100 tests): best and median of 7.
- Trends: 1,000 completed runs of one project spread over the last 365 days (inserted in one
  statement: the ingest is measured elsewhere); GET /api/v1/projects/{project}/trends per day
  (366 buckets), week and month: best and median of 7 each.
"""
import hashlib
import json
import re
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid

from api_client import API, must, wait_quiet

base, key, junit_path, database = sys.argv[1:5]
call = API(base, key).call


def upload(project, report, branch="main"):
    run = must(*call("POST", "/api/v1/reports/begin", {
        "project": project, "ci_run_id": str(uuid.uuid4()), "branch": branch, "total_reports_expected": 1}), 201)
    registered = must(*call("POST", "/api/v1/reports/register", {
        "run_id": run["run_id"], "shard": "1",
        "files": [{"name": "r.xml", "kind": "report", "size": len(report), "sha256": hashlib.sha256(report).hexdigest()}]}), 201)
    for target in registered["uploads"]:
        must(*call("PUT", target["url"], raw=report), 200)
    must(*call("POST", registered["complete_url"]), 200)
    return run["run_id"]


def head_variant(report):
    """The report with tests renamed, slowed, broken and fixed, deterministically by position."""
    out, case, body, n = [], None, [], 0
    for line in report.split(b"\n"):
        if case is None and line.startswith(b"    <testcase "):
            n += 1
            if n % 331 == 0:
                line = line.replace(b'" classname=', b'_renamed" classname=', 1)
            if n % 97 == 1:
                line = re.sub(rb'time="(\d+)\.', lambda m: b'time="%d.' % (int(m.group(1)) + 2), line, count=1)
            if line.endswith(b"/>"):
                if n % 53 == 2:
                    line = line[:-2] + b'>\n      <failure message="broke in head" type="AssertionError">AssertionError</failure>\n    </testcase>'
                out.append(line)
            else:
                case, body = line, []
            continue
        if case is not None:
            body.append(line)
            if line == b"    </testcase>":
                failing = any(b"<failure " in b or b"<error " in b for b in body)
                out.extend([case[:-1] + b"/>"] if failing and n % 5 == 0 else [case] + body)
                case = None
            continue
        out.append(line)
    return b"\n".join(out)


def timed(path, rounds=7):
    times, answer = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(base + path, headers={"X-API-Key": key})) as response:
            answer = json.loads(response.read())
        times.append((time.perf_counter() - started) * 1000)
    return min(times), statistics.median(times), answer


report = open(junit_path, "rb").read()
head_report = head_variant(report)
project = f"bench-compare-{uuid.uuid4().hex[:8]}"
started = time.perf_counter()
for _ in range(2):
    upload(project, report)
base_id = upload(project, report)
head_id = upload(project, head_report)
setup = time.perf_counter() - started


wait_quiet(database)
best, median, answer = timed(f"/api/v1/runs/compare?head={head_id}&base={base_id}")
summary = answer["summary"]
if summary["new_failures"] == 0 or summary["duration_regressions"] == 0 or summary["new_tests"] != summary["removed_tests"]:
    sys.exit(f"compare: unexpected summary {summary}")
print(f"insights: compare two 100,000-case runs (head vs base, every category): best {best:.0f} ms, median {median:.0f} ms"
      f"   [target <= 500 ms]")
print("insights: compare summary: " + ", ".join(f"{k} {v:,}" for k, v in summary.items())
      + f" (setup: 4 uploads in {setup:.1f} s)")
best, median, answer = timed(f"/api/v1/runs/compare?head={head_id}")
if answer["base"]["id"] != base_id:
    sys.exit("compare: the default base is not the latest completed run before head")
print(f"insights: compare with the default base: best {best:.0f} ms, median {median:.0f} ms   [target <= 500 ms]")

# Trends: a project with 1,000 completed runs over the last year.
trends_project = f"bench-trends-{uuid.uuid4().hex[:8]}"
upload(trends_project, b'<testsuite name="s"><testcase classname="s.T" name="t" time="0.1"/></testsuite>')
subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", database, "-c", f"""
    INSERT INTO runs (project_id, commit_sha, branch, ci_run_id, ci_run_attempt, name, status, total_reports_expected,
        reports_completed, tests, passed, failed, skipped, errors, flaky, created_at, started_at, ended_at, completed_at)
    SELECT p.id, '', CASE WHEN i % 4 = 0 THEN 'feature' ELSE 'main' END, 'bench-' || i, 1, 'ci', 'completed', 1, 1,
        1000, 950 - i % 17, i % 13, 20, i % 3, 30 + i % 7,
        now() - make_interval(secs => i * 31536), now() - make_interval(secs => i * 31536),
        now() - make_interval(secs => i * 31536 - 300 - i % 240), now() - make_interval(secs => i * 31536 - 300)
    FROM projects p, generate_series(1, 1000) AS i WHERE p.name = '{trends_project}'
    """], check=True)
for bucket in ["day", "week", "month"]:
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 365 * 86400 - 3600))
    best, median, answer = timed(f"/api/v1/projects/{trends_project}/trends?since={since}&bucket={bucket}")
    runs = sum(b["runs"] for b in answer["buckets"])
    if runs < 999:
        sys.exit(f"trends: {runs} runs in the buckets, expected 1,000")
    print(f"insights: trends over 1,000 runs per {bucket} ({len(answer['buckets'])} buckets): best {best:.0f} ms,"
          f" median {median:.0f} ms   [target <= 300 ms]")
