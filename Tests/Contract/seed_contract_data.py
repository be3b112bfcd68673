#!/usr/bin/env python3
"""Stores a little real data through the API and prints a Schemathesis config that offers its ids.

    seed_contract_data.py BASE_URL API_KEY > schemathesis.toml

Random UUIDs only ever reach the 404 branch of a read; with these ids in dictionaries, most
generated path and filter ids of the reads name a real run, report, case, test or attachment,
so the response schemas of the 200s and 302s are checked too. The data covers a completed
multi-shard upload with an attachment, a registered shard whose file never arrives (409 on its
raw download), retries and flaky results, and a one-shot upload.
"""
import hashlib
import json
import sys
import urllib.error
import urllib.request

BASE, KEY = sys.argv[1].rstrip("/"), sys.argv[2]

JUNIT = """<?xml version="1.0" encoding="UTF-8"?>
<testsuites>
  <testsuite name="checkout" tests="4" failures="1" errors="0" skipped="1" time="1.5"
             timestamp="2026-05-01T12:00:00" hostname="ci-1" file="tests/checkout.py">
    <properties><property name="browser" value="firefox"/></properties>
    <testcase classname="tests.checkout" name="pays by card" time="0.4">
      <system-out>[[ATTACHMENT|/home/runner/work/app/screens/pay.png]]</system-out>
    </testcase>
    <testcase classname="tests.checkout" name="refuses an expired card" time="0.3">
      <failure message="expected 402" type="AssertionError">Traceback: line 12</failure>
      <system-err>card service slow</system-err>
    </testcase>
    <testcase classname="tests.checkout" name="retries the gateway" time="0.5">
      <flakyFailure message="timeout" type="TimeoutError">first try timed out</flakyFailure>
    </testcase>
    <testcase classname="tests.checkout" name="ships abroad" time="0">
      <skipped message="not in this region"/>
    </testcase>
  </testsuite>
</testsuites>
"""
SCREENSHOT = b"\x89PNG\r\n\x1a\n" + bytes(range(64))


def call(method, path, body=None, content_type="application/json", raw_url=None):
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    request = urllib.request.Request(raw_url or BASE + path, data=data, method=method)
    if raw_url is None:
        request.add_header("X-API-Key", KEY)
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            payload = response.read()
    except urllib.error.HTTPError as error:
        sys.exit(f"seeding: {method} {path or raw_url} answered {error.code}: {error.read()[:500]!r}")
    return json.loads(payload) if payload[:1] in (b"{", b"[") else None


def declared(name, content, kind):
    return {"name": name, "kind": kind, "size": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def main():
    report = JUNIT.encode()
    run = call("POST", "/api/v1/reports/begin", {
        "project": "contract", "commit": "0123abc", "branch": "main", "ci_run_id": "seed", "total_reports_expected": 2})
    files = [declared("junit.xml", report, "report"), declared("screens/pay.png", SCREENSHOT, "attachment")]
    registered = call("POST", "/api/v1/reports/register", {"run_id": run["run_id"], "shard": "1", "files": files})
    contents = {"junit.xml": report, "screens/pay.png": SCREENSHOT}
    for upload in registered["uploads"]:
        call("PUT", None, contents[upload["name"]], "application/octet-stream", raw_url=upload["url"])
    call("POST", registered["complete_url"])
    pending = call("POST", "/api/v1/reports/register", {
        "run_id": run["run_id"], "shard": "2", "files": [declared("junit.xml", report, "report")]})
    call("POST", "/api/v1/reports?project=contract&branch=feature&ci_run_id=seed-2", report, "application/xml")

    # Two more completed runs on main: the later one compares with the earlier by default.
    call("POST", "/api/v1/reports?project=contract&branch=main&ci_run_id=seed-3", report, "application/xml")
    call("POST", "/api/v1/reports?project=contract&branch=main&ci_run_id=seed-4", report, "application/xml")
    project_id = call("GET", "/api/v1/runs?project=contract&limit=1")["items"][0]["project_id"]

    # A key of its own for the revocation pass to find, so revoking is tested on a real key.
    revocable = call("POST", "/api/v1/keys", {"name": "contract-revocable", "scopes": ["read"]})

    ids = {"run": set(), "report": {pending["report_id"]}, "case": set(), "test": set(), "attachment": set(),
           "key": {revocable["id"]}, "project": {project_id, "contract"}}
    for listed in call("GET", "/api/v1/runs?project=contract")["items"]:
        ids["run"].add(listed["id"])
        ids["report"].update(r["id"] for r in call("GET", f"/api/v1/runs/{listed['id']}")["reports"])
        for case in call("GET", f"/api/v1/runs/{listed['id']}/cases")["items"]:
            ids["case"].add(case["id"])
            ids["test"].add(case["test_id"])
            ids["attachment"].update(a["id"] for a in call("GET", f"/api/v1/cases/{case['id']}")["attachments"])
    # A quarantine, so the quarantine and flaky routes answer with items to check.
    ids["project"] = {p["id"] for p in call("GET", "/api/v1/projects")["items"] if p["name"] == "contract"}
    call("POST", f"/api/v1/projects/contract/quarantine",
         {"test_id": sorted(ids["test"])[0], "reason": "seeded by the contract test", "owner": "contract"})
    if not all(ids.values()):
        sys.exit(f"seeding: expected every kind of id, got {ids}")

    print("# Written by Tests/Contract/seed_contract_data.py: ids of the data it stored.")
    for kind, values in ids.items():
        print(f"[dictionaries.{kind}]\nvalues = {json.dumps(sorted(values))}\n")
    # Each operation draws from the ids that fit it; the rest of the time, generated ones.
    bindings = {
        "getRun": {"path.id": "run"},
        "listRunSuites": {"path.id": "run"},
        "listRunCases": {"path.id": "run", "query.report": "report", "query.test_id": "test"},
        "exportRunJUnit": {"path.id": "run"},
        "exportRunCTRF": {"path.id": "run"},
        "getCase": {"path.id": "case"},
        "getTestHistory": {"path.test_id": "test"},
        "downloadReport": {"path.id": "report"},
        "completeReport": {"path.id": "report"},
        "downloadAttachment": {"path.id": "attachment"},
        "revokeKey": {"path.id": "key"},
        "listFlakyTests": {"path.project": "project"},
        "listQuarantines": {"path.project": "project"},
        "createQuarantine": {"path.project": "project"},
        "liftQuarantine": {"path.project": "project", "path.test_id": "test"},
        "compareRuns": {"query.head": "run", "query.base": "run"},
        "comparePage": {"path.id": "run", "query.base": "run"},
        "getProjectTrends": {"path.project": "project"},
        "trendsPage": {"path.project": "project"},
        "updateProject": {"path.project": "project"},
        "projectPage": {"path.project": "project"},
        "listRunClusters": {"path.id": "run"},
        "listFailureCategories": {"path.project": "project"},
        "replaceFailureCategories": {"path.project": "project"},
        "listGates": {"path.project": "project"},
        "createGate": {"path.project": "project"},
        "updateGate": {"path.project": "project"},
        "deleteGate": {"path.project": "project"},
        "getRunGates": {"path.id": "run"},
        "evaluateRunGates": {"path.id": "run"},
        "summarizeCluster": {"path.project": "project"},
    }
    for operation, parameters in bindings.items():
        print(f'[[operations]]\ninclude-operation-id = "{operation}"\n[operations.parameters]')
        for name, kind in parameters.items():
            print(f'"{name}" = {{ dictionary = "{kind}", probability = 0.6 }}')
        print()
    print(f"seeded {', '.join(f'{len(v)} {k}' for k, v in ids.items())} ids", file=sys.stderr)


if __name__ == "__main__":
    main()
