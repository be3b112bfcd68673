"""The `verdict` CLI end to end against a running emulator (make cli-test).

usage: test_cli.py VERDICT_BINARY  (the emulator in VERDICT_BASE, a key in VERDICT_KEY)

A tiny shell suite runs through `verdict run` on two workers at once: units leased, the command
run with each batch, its JUnit report turned into per-unit results and uploaded into the run, a
flaky unit retested, a broken one failed. Then the offline plan, Ctrl-C giving a lease back, and
upload/status/export.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request
import uuid
import xml.etree.ElementTree as ET

VERDICT = os.path.abspath(sys.argv.pop(1))
BASE, KEY = os.environ["VERDICT_BASE"], os.environ["VERDICT_KEY"]

# Runs each unit it is given (a shell file) and writes a JUnit report of them to $VERDICT_REPORT.
RUNNER = r"""
report="$VERDICT_REPORT"
echo '<testsuite name="shell">' > "$report.tmp"
for unit in "$@"; do
  start=$(date +%s%N)
  if sh "$unit" >/dev/null 2>&1; then result=''; else result='<failure message="exit status">it failed</failure>'; fi
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  name=$(basename "$unit" .sh)
  echo "<testcase classname=\"shell\" name=\"$name\" file=\"$unit\" time=\"0.$(printf %03d $ms)\">$result</testcase>" >> "$report.tmp"
done
echo '</testsuite>' >> "$report.tmp"
mv "$report.tmp" "$report"
"""


def api(path, method="GET", body=None):
    request = urllib.request.Request(BASE + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                     headers={"X-API-Key": KEY, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


class CLITests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="verdict-cli-")
        os.makedirs(os.path.join(self.dir, "tests"))
        os.makedirs(os.path.join(self.dir, "out"))
        for name in "abcd":
            self.write(f"tests/{name}.sh", "sleep 0.2\n")
        self.write("tests/broken.sh", "exit 1\n")
        # Fails on its first try, passes on the next: a flaky test.
        self.write("tests/flaky.sh", f"if [ -e {self.dir}/flaked ]; then exit 0; fi\ntouch {self.dir}/flaked\nexit 1\n")
        self.write("runner.sh", RUNNER)
        self.env = dict(os.environ, VERDICT_URL=BASE, VERDICT_API_KEY=KEY, VERDICT_RETRIES="2")
        for variable in ("GITHUB_ACTIONS", "GITHUB_RUN_ID", "GITLAB_CI", "CI_PIPELINE_ID", "CI_NODE_INDEX", "CI_NODE_TOTAL"):
            self.env.pop(variable, None)

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w") as file:
            file.write(text)

    def verdict(self, *args, **kwargs):
        return subprocess.Popen([VERDICT, *args], cwd=self.dir, env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, **kwargs)

    def identity(self, project):
        return ["--project", project, "--ci-run-id", str(uuid.uuid4()), "--commit", "abcdef1234567", "--branch", "main"]

    def test_two_workers_run_the_suite_retest_the_flaky_unit_and_upload_their_reports(self):
        identity = self.identity("cli-e2e")
        workers = [self.verdict("run", *identity, "--units", "tests/*.sh", "--report", "out/{worker}-{batch}.xml",
                                "--retests", "1", "--expected-workers", "2", "--worker", f"w{index}",
                                "--", "sh", "runner.sh", "{}") for index in (1, 2)]
        outcomes = [worker.communicate(timeout=120) + (worker.returncode,) for worker in workers]
        for out, err, code in outcomes:
            self.assertIn(code, (0, 1), f"exit {code}\n{out}\n{err}")
        self.assertIn(1, [code for _, _, code in outcomes], "the worker that ran the broken unit exits 1")
        runs = api(f"/api/v1/runs?project=cli-e2e&ci_run_id={identity[3]}")["items"]
        self.assertEqual(len(runs), 1)
        run_id = runs[0]["id"]
        orchestration = api(f"/api/v1/orchestration/runs/{run_id}")
        self.assertEqual(orchestration["status"], "completed", orchestration)
        states = {unit["id"]: unit["state"] for unit in orchestration["units"]}
        self.assertEqual(states, {"tests/a.sh": "passed", "tests/b.sh": "passed", "tests/c.sh": "passed", "tests/d.sh": "passed",
                                  "tests/broken.sh": "failed", "tests/flaky.sh": "flaky"})
        tries = {unit["id"]: [a["status"] for a in unit["attempts"]] for unit in orchestration["units"]}
        self.assertEqual(tries["tests/flaky.sh"], ["failed", "passed"])
        self.assertEqual(tries["tests/broken.sh"], ["failed", "failed"], "retested once, failed again")
        self.assertEqual({w["worker"] for w in orchestration["workers"]} <= {"w1", "w2"}, True)
        run = api(f"/api/v1/runs/{run_id}")
        self.assertTrue(run["orchestrated"])
        self.assertEqual(run["status"], "completed")
        self.assertGreaterEqual(len(run["reports"]), 2, "each batch's report was uploaded into the run")
        self.assertEqual(run["totals"]["tests"], sum(len(unit["attempts"]) for unit in orchestration["units"]),
                         "every try's test is in the run's reports")

    def test_the_offline_plan_splits_the_units_the_same_way_every_time(self):
        self.write("durations.json", json.dumps({"tests/a.sh": 4.0, "tests/b.sh": 3.0, "tests/c.sh": 2.0, "tests/d.sh": 1.0}))
        self.env["VERDICT_URL"] = "http://127.0.0.1:9"  # nothing listens there: the plan needs no API
        shards = []
        for index in (1, 2):
            runs = []
            for _ in range(2):
                process = self.verdict("plan", "--shard", f"{index}/2", "--durations", "durations.json", "--units", "tests/*.sh")
                out, err = process.communicate(timeout=30)
                self.assertEqual(process.returncode, 0, err)
                runs.append(out.split())
            self.assertEqual(runs[0], runs[1], "deterministic")
            shards.append(set(runs[0]))
        self.assertEqual(shards[0] | shards[1], {f"tests/{n}.sh" for n in ["a", "b", "c", "d", "broken", "flaky"]})
        self.assertEqual(shards[0] & shards[1], set())
        self.assertIn("tests/a.sh", shards[0], "the longest unit goes to the first shard")

    def test_ctrl_c_gives_the_lease_back(self):
        self.write("sleeper.sh", "sleep 60\n")
        identity = self.identity("cli-interrupt")
        worker = self.verdict("run", *identity, "--units", "tests/a.sh", "--units", "tests/b.sh", "--worker", "sleepy",
                              "--", "sh", "sleeper.sh", "{}", start_new_session=True)
        run_id, deadline = None, time.time() + 30
        while time.time() < deadline and run_id is None:
            runs = api(f"/api/v1/runs?project=cli-interrupt&ci_run_id={identity[3]}")["items"]
            if runs and api(f"/api/v1/orchestration/runs/{runs[0]['id']}")["counts"]["leased"] > 0:
                run_id = runs[0]["id"]
            time.sleep(0.2)
        self.assertIsNotNone(run_id, "the worker leased its units")
        worker.send_signal(signal.SIGINT)
        out, err = worker.communicate(timeout=30)
        self.assertEqual(worker.returncode, 130, err)
        orchestration = api(f"/api/v1/orchestration/runs/{run_id}")
        self.assertEqual(orchestration["counts"]["leased"], 0, orchestration)
        self.assertEqual(orchestration["counts"]["pending"], 2, "both units back in the queue")
        self.assertEqual({a["status"] for u in orchestration["units"] for a in u["attempts"]}, {"released"})
        api(f"/api/v1/orchestration/runs/{run_id}/cancel", method="POST")

    def test_labelled_units_go_only_to_the_worker_with_the_label(self):
        identity = self.identity("cli-labels")
        common = ["run", *identity, "--units", "tests/a.sh", "--units", "tests/b.sh", "--units", "tests/c.sh", "--units", "tests/d.sh", "--unit-label", "tests/a.sh:kind=slow",
                  "--unit-label", "tests/b.sh:kind=slow", "--report", "out/{worker}-{batch}.xml", "--expected-workers", "2"]
        plain = self.verdict(*common, "--worker", "plain", "--", "sh", "runner.sh", "{}")
        slow = self.verdict(*common, "--worker", "slow", "--label", "kind=slow", "--", "sh", "runner.sh", "{}")
        for worker in (plain, slow):
            out, err = worker.communicate(timeout=120)
            self.assertEqual(worker.returncode, 0, f"{out}\n{err}")
        run_id = api(f"/api/v1/runs?project=cli-labels&ci_run_id={identity[3]}")["items"][0]["id"]
        orchestration = api(f"/api/v1/orchestration/runs/{run_id}")
        self.assertEqual(orchestration["status"], "completed", orchestration)
        ran_by = {unit["id"]: {a["worker"] for a in unit["attempts"]} for unit in orchestration["units"]}
        self.assertEqual(ran_by["tests/a.sh"], {"slow"})
        self.assertEqual(ran_by["tests/b.sh"], {"slow"})
        labels = {unit["id"]: unit["labels"] for unit in orchestration["units"]}
        self.assertEqual(labels["tests/a.sh"], {"kind": "slow"})
        self.assertEqual(labels["tests/c.sh"], {})

    def test_a_cancelled_run_stops_the_command_at_the_next_heartbeat(self):
        self.write("sleeper.sh", "trap 'touch stopped; exit 143' TERM; sleep 60 & wait\n")
        identity = self.identity("cli-cancel")
        worker = self.verdict("run", *identity, "--units", "tests/a.sh", "--worker", "cancelled", "--lease-seconds", "5",
                              "--", "sh", "sleeper.sh", "{}")
        run_id, deadline = None, time.time() + 30
        while time.time() < deadline and run_id is None:
            runs = api(f"/api/v1/runs?project=cli-cancel&ci_run_id={identity[3]}")["items"]
            if runs and api(f"/api/v1/orchestration/runs/{runs[0]['id']}")["counts"]["leased"] > 0:
                run_id = runs[0]["id"]
            time.sleep(0.2)
        self.assertIsNotNone(run_id, "the worker leased its unit")
        started = time.time()
        api(f"/api/v1/orchestration/runs/{run_id}/cancel", method="POST")
        out, err = worker.communicate(timeout=30)
        self.assertLess(time.time() - started, 15, "stopped at a heartbeat (every 2.5 s), not after the 60 s sleep")
        self.assertEqual(worker.returncode, 0, err)
        self.assertIn("the orchestrator ended its lease", err)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "stopped")), "the command had SIGTERM")

    def test_upload_status_and_export(self):
        self.write("report.xml", '<testsuite name="s"><testcase classname="c" name="one" time="0.1"/>'
                                 '<testcase classname="c" name="two" time="0.2"><failure message="no">boom</failure></testcase></testsuite>')
        upload = self.verdict("upload", "report.xml", *self.identity("cli-upload"))
        out, err = upload.communicate(timeout=60)
        self.assertEqual(upload.returncode, 0, err)
        self.assertIn("/runs/", out)
        run_id = out.strip().rsplit("/runs/", 1)[1].split()[0]
        status = self.verdict("status", run_id, "--json")
        out, err = status.communicate(timeout=30)
        self.assertEqual(status.returncode, 1, "the run has a failure")
        self.assertEqual(json.loads(out)["run"]["totals"]["failed"], 1)
        export = self.verdict("export", run_id, "--junit", "out/export.xml")
        _, err = export.communicate(timeout=30)
        self.assertEqual(export.returncode, 0, err)
        cases = ET.parse(os.path.join(self.dir, "out/export.xml")).getroot().iter("testcase")
        self.assertEqual(sorted(case.get("name") for case in cases), ["one", "two"])

    def test_gate_exits_by_the_projects_quality_gates(self):
        project = f"cli-gate-{uuid.uuid4().hex[:8]}"
        self.write("report.xml", '<testsuite name="s"><testcase classname="c" name="one" time="0.1"/>'
                                 '<testcase classname="c" name="two" time="0.2"><failure message="no">boom</failure></testcase></testsuite>')
        upload = self.verdict("upload", "report.xml", *self.identity(project))
        out, err = upload.communicate(timeout=60)
        self.assertEqual(upload.returncode, 0, err)
        run_id = out.strip().rsplit("/runs/", 1)[1].split()[0]
        gate = api(f"/api/v1/projects/{project}/gates", method="POST", body={
            "name": "no failures", "rules": [{"type": "max_failures", "params": {"threshold": 0}}]})
        failing = self.verdict("gate", run_id)
        out, err = failing.communicate(timeout=30)
        self.assertEqual(failing.returncode, 1, f"{out}\n{err}")
        self.assertIn("FAILED: no failures", out)
        self.assertIn("1 tests failed; at most 0 allowed", out)
        api(f"/api/v1/projects/{project}/gates/{gate['id']}", method="PATCH",
            body={"rules": [{"type": "max_failures", "params": {"threshold": 1}}]})
        passing = self.verdict("gate", run_id)
        out, err = passing.communicate(timeout=30)
        self.assertEqual(passing.returncode, 0, f"{out}\n{err}")
        self.assertIn("quality gates passed", out)
        self.env.update(VERDICT_URL="http://127.0.0.1:9", VERDICT_RETRIES="0")  # nothing listens there
        for flag, expected in ((None, 1), ("fail", 1), ("pass", 0)):
            process = self.verdict("gate", run_id, *(["--if-unreachable", flag] if flag else []))
            _, err = process.communicate(timeout=60)
            self.assertEqual(process.returncode, expected, f"{flag}: {err}")
            self.assertIn("the gates were not checked", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
