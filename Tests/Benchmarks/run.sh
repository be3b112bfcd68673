#!/usr/bin/env bash
# `make bench`: Verdict's speed figures, measured on this machine through the real emulator
# with the packaged (release, static, stripped) bootstraps, exactly what Lambda would run.
set -euo pipefail
cd "$(dirname "$0")/../.."

emulator=.build/release/verdict-emulator
[ -x "$emulator" ] || { echo "run 'make package' first" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing (make deps installs it)" >&2; exit 1; }
work=$(mktemp -d /tmp/verdict-bench.XXXXXX)
chmod 755 "$work"   # the throw-away PostgreSQL runs as the postgres user under root
emulator_pid=""
stop_emulator() { [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null && wait "$emulator_pid" 2>/dev/null; emulator_pid=""; return 0; }
trap 'stop_emulator; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

start_emulator() {  # $@: extra emulator options
  "$emulator" --port "$port" --no-startup --no-schedules --state-dir "$work/state" \
    --parameter DatabaseUrl=postgresql://unused "$@" >"$work/emulator.log" 2>&1 &
  emulator_pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0; sleep 0.1; done
  cat "$work/emulator.log" >&2; exit 1
}

echo "== Verdict benchmarks ($(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ))"

# Cold start: spawn → the runtime's first `next` call, as the emulator's Init Duration reports it.
# An idle timeout of 0 s retires each instance after its request, so every request starts cold.
start_emulator --idle-timeout 0
for _ in $(seq 1 25); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null
  curl -fs "http://127.0.0.1:$port/assets/none" >/dev/null || true   # a page function, cold
  sleep 1.2
done
stop_emulator
python3 - "$work/emulator.log" <<'PY'
import re, statistics, sys
values = [float(v) for v in re.findall(r"Function: HealthFunction .*Init Duration: ([0-9.]+) ms", open(sys.argv[1]).read())]
if len(values) < 20: sys.exit(f"only {len(values)} cold starts observed")
print(f"cold start (spawn -> first next), {len(values)} starts: median {statistics.median(values):.2f} ms, min {min(values):.2f} ms, max {max(values):.2f} ms   [target <= 15 ms]")
pages = [float(v) for v in re.findall(r"Function: PageAssetsFunction .*Init Duration: ([0-9.]+) ms", open(sys.argv[1]).read())]
if len(pages) < 20: sys.exit(f"only {len(pages)} page cold starts observed")
print(f"cold start of a page function, {len(pages)} starts: median {statistics.median(pages):.2f} ms   [target <= 20 ms]")
PY

# Warm latency at concurrency 1 and throughput at concurrency 32.
start_emulator --quiet
wrk -t1 -c1 -d3s "http://127.0.0.1:$port/health" >/dev/null   # warm the pool
wrk -t1 -c1 -d10s --latency "http://127.0.0.1:$port/health" >"$work/c1.txt"
wrk -t2 -c32 -d10s --latency "http://127.0.0.1:$port/health" >"$work/c32.txt"
stop_emulator
python3 - "$work/c1.txt" "$work/c32.txt" <<'PY'
import re, sys
def ms(text):
    value, unit = re.match(r"([0-9.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
c1, c32 = open(sys.argv[1]).read(), open(sys.argv[2]).read()
p50 = ms(re.search(r"\n\s+50%\s+(\S+)", c1).group(1))
p99 = ms(re.search(r"\n\s+99%\s+(\S+)", c1).group(1))
rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", c32).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", c32)
print(f"warm GET /health, concurrency 1: p50 {p50:.3f} ms, p99 {p99:.3f} ms   [target p50 <= 1 ms]")
print(f"warm GET /health, concurrency 32: {rps:,.0f} requests/s{', non-2xx: ' + errors.group(1) if errors else ''}   [target >= 5,000]")
PY

size=$(stat -c %s .build/lambda/health/bootstrap)
python3 -c "print(f'handler binary (health, release, static stdlib, stripped): {$size/1048576:.2f} MB   [target <= 10 MB]')"
# The largest API handler (it links the ingest, the exports and the live client) and a page
# function (the page renderer on top of the API runner).
api_size=$(stat -c %s .build/lambda/reports-complete/bootstrap)
page_size=$(stat -c %s .build/lambda/page-run/bootstrap)
python3 -c "print(f'handler binary (reports-complete, the largest API handler): {$api_size/1048576:.2f} MB   [target <= 10 MB]')"
python3 -c "print(f'page function binary (page-run): {$page_size/1048576:.2f} MB   [target <= 15 MB]')"

# Reports: parse. Generated JUnit (100,000 cases, 5% failing with long stack traces, ~50 MB)
# and Playwright JSON (20,000 tests, ~30 MB), streamed from the file through a counting sink.
# The references read the same JUnit file: junitparser visiting every case, and libxml2's own
# streaming reader doing nothing with it. Best of 5 runs each, interleaved, to damp a busy machine
# (a shared host here has minutes when the same binary takes 1.6x as long).
bench=.build/release/verdict-bench
[ -x "$bench" ] || { echo "$bench is missing: run 'make package' first" >&2; exit 1; }
"$bench" generate-junit "$work/junit.xml" --cases 100000 --failure-rate 0.05 >/dev/null
"$bench" generate-playwright "$work/playwright.json" --tests 20000 >/dev/null
for i in 1 2 3 4 5; do
  "$bench" parse "$work/junit.xml" >>"$work/parse-junit.txt"
  "$bench" parse "$work/playwright.json" >>"$work/parse-playwright.txt"
  /usr/bin/time -f "%e" -a -o "$work/xmllint.txt" xmllint --stream --noout "$work/junit.xml"
  python3 - "$work/junit.xml" >>"$work/junitparser.txt" <<'PY'
import sys, time
from junitparser import JUnitXml, TestSuite
start = time.perf_counter()
xml = JUnitXml.fromfile(sys.argv[1])
cases = 0
for suite in ([xml] if isinstance(xml, TestSuite) else xml):  # a bare <testsuite> root is its own suite
    for case in suite:
        cases += 1
print(f"{time.perf_counter() - start:.3f} {cases}")
PY
done
python3 - "$work" <<'PY'
import re, sys
work = sys.argv[1]
def runs(name):
    return [dict(re.findall(r"(\w+)=(\S+)", line)) for line in open(f"{work}/{name}") if line.strip()]
junit, playwright = runs("parse-junit.txt"), runs("parse-playwright.txt")
xmllint = min(float(v) for v in open(f"{work}/xmllint.txt").read().split())
reference = [line.split() for line in open(f"{work}/junitparser.txt") if line.strip()]
junitparser = min(float(t) for t, _ in reference)
if any(int(n) != int(junit[0]["cases"]) for _, n in reference):
    sys.exit(f"junitparser counted {reference[0][1]} cases, verdict {junit[0]['cases']}")
def best(rs): return min(rs, key=lambda r: float(r["seconds"]))
j, p = best(junit), best(playwright)
j_s, p_s = float(j["seconds"]), float(p["seconds"])
rss = max(float(r["peak_rss_mb"]) for r in junit + playwright)
print(f"reports: parse JUnit {j['size_mb']} MB, {j['cases']} cases: {j_s:.3f} s, {float(j['mb_per_s']):.1f} MB/s, peak RSS {float(j['peak_rss_mb']):.1f} MB")
print(f"reports: parse Playwright JSON {p['size_mb']} MB, {p['cases']} tests: {p_s:.3f} s, {float(p['mb_per_s']):.1f} MB/s, peak RSS {float(p['peak_rss_mb']):.1f} MB")
print(f"reports: JUnit vs junitparser ({junitparser:.2f} s): {junitparser / j_s:.1f}x faster   [target >= 4x]")
print(f"reports: JUnit vs xmllint --stream --noout ({xmllint:.2f} s): {j_s / xmllint:.2f}x its time   [target <= 2.5x]")
print(f"reports: parse peak RSS, largest of both files: {rss:.1f} MB   [target <= 256 MB]")
PY

# Reports: ingest and export, end to end. A throw-away PostgreSQL and the release emulator with
# the packaged bootstraps; the JUnit file goes through begin/register/PUT/complete as 4 shards
# uploaded in parallel (as 4 CI jobs would) and the run is exported (database -> JUnit/CTRF
# document -> S3 -> 302), five times over, best and median printed; then the Playwright file
# as one shard, and its export.
pg="$work/pg"
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
database=$(emulator/scripts/local-postgres.sh start "$pg" "$pg_port" --throwaway)
trap 'stop_emulator; emulator/scripts/local-postgres.sh stop "$pg"; rm -rf "$work"' EXIT
"$emulator" --port "$port" --no-schedules --quiet --state-dir "$work/ingest-state" \
  --parameter DatabaseUrl="$database" >"$work/ingest-emulator.log" 2>&1 &
emulator_pid=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && break; sleep 0.1; done
key=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["key"])' "$work/ingest-state/SeedFunction.json")
python3 Tests/Benchmarks/ingest.py "http://127.0.0.1:$port" "$key" "$work/junit.xml" "$work/playwright.json" 4 5 "$database" \
  || { tail -n 30 "$work/ingest-emulator.log" >&2; exit 1; }
# The dashboard and live events, on the same emulator: a 10,000-case run with 500 failures.
"$bench" generate-junit "$work/junit-10k.xml" --cases 10000 --failure-rate 0.05 >/dev/null
python3 Tests/Benchmarks/pages.py "http://127.0.0.1:$port" "$key" "$work/junit-10k.xml" "$database" \
  || { tail -n 30 "$work/ingest-emulator.log" >&2; exit 1; }
# Insights, on the same emulator: two 100,000-case runs compared, trends over 1,000 runs.
python3 Tests/Benchmarks/insights.py "http://127.0.0.1:$port" "$key" "$work/junit.xml" "$database" \
  || { tail -n 30 "$work/ingest-emulator.log" >&2; exit 1; }
# Orchestration under load, on the same emulator: 200 workers, 5,000 units, a tenth dying.
python3 Tests/Benchmarks/orchestration.py "http://127.0.0.1:$port" "$key" 200 5000 \
  || { tail -n 30 "$work/ingest-emulator.log" >&2; exit 1; }
# Flaky tests, on the same emulator: the classifier's accuracy on the labelled benchmark, then a
# project of 5,000 tests x 200 runs uploaded (the completion hook builds the watch list) and
# its flaky list timed.
python3 Tests/Benchmarks/flaky.py "http://127.0.0.1:$port" "$key" "$bench" 5000 200 \
  || { tail -n 30 "$work/ingest-emulator.log" >&2; exit 1; }
stop_emulator

# Dispatch: Verdict's queue (the VerdictDispatch module on a simulated clock, `verdict-bench
# shard-sim`) beside pytest-split's least_duration and duration_based_chunks plans, on the same
# noisy durations of every real suite in ../shared/durations, N = 2 to 32, 20 seeds each.
python3 Tests/Benchmarks/shard_compare.py --bench "$bench"
# Where it misses (hypha at N = 8): how close any dispatcher could come, clairvoyant or not, on
# the same realised durations and on 2,000 fresh seeds.
python3 Tests/Benchmarks/shard_feasibility.py --bench "$bench"

# Failure clusters: 10,000 failures fingerprinted and grouped (the pure module, as ingest runs
# it), then pairwise precision and recall on the hand-labelled set of real failures and their
# variants (Tests/Fixtures/clusters).
"$bench" clusters --failures 10000 | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    if r["bench"] == "clusters":
        print("clusters: {:,} failures into {:,} clusters in {:.3f} s   [target <= 2 s]".format(r["failures"], r["clusters"], r["seconds"]))
    else:
        print("clusters: labelled set of {} real + {} synthetic failures, pairwise precision {:.3f}, recall {:.3f}   "
              "[targets >= 0.90, >= 0.80]".format(r["real_failures"], r["synthetic_failures"], r["precision"], r["recall"]))
'
