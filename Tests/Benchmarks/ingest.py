"""End-to-end ingest and export timings through a running emulator (called by run.sh).

usage: ingest.py BASE_URL API_KEY JUNIT_FILE PLAYWRIGHT_FILE SHARDS ROUNDS DATABASE_URL

The JUnit file is split at its <testsuite> boundaries into SHARDS files, which go through the
multi-shard flow the way parallel CI jobs would: begin, register, PUT to the presigned URL,
complete, all shards at once; then that run is exported as JUnit XML and CTRF. The JUnit round
is repeated (5 times by default, each a new run) and the best and median times are printed.
The Playwright file is one shard of its own run, exported as JUnit XML.
"""
import hashlib
import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

from api_client import API, must, wait_quiet

base, key, junit_path, playwright_path, shard_count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
rounds = int(sys.argv[6])
database = sys.argv[7]


api = API(base, key)
call = api.call


def split_junit(data, parts):
    """Distributes the <testsuite> elements of a generated report over `parts` documents."""
    first = data.index(b"<testsuite ")
    end = data.rindex(b"</testsuites>")
    head, tail = data[:first], data[end:]
    suites, position = [], first
    while True:
        start = data.find(b"<testsuite ", position, end)
        if start < 0:
            break
        stop = data.index(b"</testsuite>", start) + len(b"</testsuite>")
        suites.append(data[start:stop])
        position = stop
    shards = [[] for _ in range(parts)]
    for i, suite in enumerate(suites):
        shards[i % parts].append(suite)
    return [head + b"\n".join(chunk) + b"\n" + tail for chunk in shards]


def ingest(files, fmt, label):
    """Runs the multi-shard flow for `files` (one per shard, concurrently); returns (run id, seconds, cases)."""
    started = time.perf_counter()
    run = must(*call("POST", "/api/v1/reports/begin", {
        "project": "bench", "ci_run_id": str(uuid.uuid4()), "commit": "0123456789abcdef", "branch": "main",
        "total_reports_expected": len(files)}), 201)
    results, errors = [None] * len(files), []
    complete_window = [float("inf"), 0.0]

    def shard(i, data):
        try:
            registration = must(*call("POST", "/api/v1/reports/register", {
                "run_id": run["run_id"], "shard": str(i + 1), "format": fmt,
                "files": [{"name": f"report-{i + 1}", "kind": "report", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}]}), 201)
            status, body = call("PUT", registration["uploads"][0]["url"], raw=data)
            if status != 200:
                raise RuntimeError(f"PUT {status}: {body[:300]!r}")
            began = time.perf_counter()
            results[i] = must(*call("POST", registration["complete_url"]), 200)
            complete_window[0] = min(complete_window[0], began)
            complete_window[1] = max(complete_window[1], time.perf_counter())
        except BaseException as error:  # reported below; a thread must not die silently
            errors.append(error)

    threads = [threading.Thread(target=shard, args=(i, data)) for i, data in enumerate(files)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        sys.exit(f"{label}: {errors[0]}")
    if results[-1] is None or not all(results):
        sys.exit(f"{label}: a shard did not complete")
    statuses = {r["run"]["status"] for r in results}
    if "completed" not in statuses:
        sys.exit(f"{label}: run did not complete ({statuses})")
    cases = sum(r["summary"]["tests"] for r in results)
    return run["run_id"], elapsed, cases, complete_window[1] - complete_window[0]


def export(run_id, cases, kind):
    started = time.perf_counter()
    status, body = call("GET", f"/api/v1/runs/{run_id}/{kind}")
    elapsed = time.perf_counter() - started
    if status not in (200, 302):
        sys.exit(f"export {kind}: {status} {body[:300]!r}")
    return elapsed


def summary(values):
    """Best and median of several timings (the machine's other tenants add noise)."""
    ordered = sorted(values)
    return ordered[0], ordered[len(ordered) // 2]


# Three rounds of the JUnit flow, each a new run: ingest, then both exports of that run.
junit = open(junit_path, "rb").read()
shards = split_junit(junit, shard_count)
mb = len(junit) / 1048576
flows, completes, exports = [], [], {"junit.xml": [], "ctrf.json": []}
for _ in range(rounds):
    # Each step timed alone: the run's completion work, which runs after the last shard's
    # answer, would otherwise be timed as part of the export after it, or of the next round.
    wait_quiet(database)
    run_id, seconds, cases, completing = ingest(shards, "junit", "junit")
    flows.append(seconds)
    completes.append(completing)
    for kind in exports:
        wait_quiet(database)
        exports[kind].append(export(run_id, cases, kind))


def line(label, seconds, target=""):
    best, median = summary(seconds)
    return (f"{label}: best {best:.2f} s = {cases / best:,.0f} cases/s, median {median:.2f} s = {cases / median:,.0f} cases/s"
            f" ({len(seconds)} runs){target}")


print(line(f"ingest JUnit {mb:.0f} MB, {cases:,} cases as {shard_count} shards, whole flow (begin, register, PUT, complete)", flows,
           "   [target >= 100,000]"))
print(line(f"ingest JUnit, the completes alone (download, verify, parse, COPY; {shard_count} at once)", completes))
print(line(f"export {cases:,} cases as junit.xml (database -> document -> S3)", exports["junit.xml"], "   [target >= 200,000]"))
print(line(f"export {cases:,} cases as ctrf.json (database -> document -> S3)", exports["ctrf.json"]))

playwright = open(playwright_path, "rb").read()
run_id, seconds, cases, completing = ingest([playwright], "playwright", "playwright")
print(f"ingest Playwright {len(playwright) / 1048576:.0f} MB as 1 shard: {cases:,} tests in {seconds:.2f} s = {cases / seconds:,.0f} cases/s "
      f"(complete alone {completing:.2f} s = {cases / completing:,.0f} cases/s)")
wait_quiet(database)
t = export(run_id, cases, "junit.xml")
print(f"export {cases:,} Playwright tests as junit.xml: {t:.2f} s = {cases / t:,.0f} cases/s")
