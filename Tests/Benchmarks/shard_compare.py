"""Verdict's dispatch queue beside pytest-split's static plans, on real suites' durations.

usage: shard_compare.py [--bench .build/release/verdict-bench] [--durations-dir DIR]
                        [--workers 2,4,8,16,32] [--sigma 0.4] [--seeds 20] [--latency-ms 50]

For every `*.test_durations.json` in DIR (default: VERDICT_DURATIONS, or shared/durations next to
the repository) and every N, at per-test granularity:

- Verdict: `verdict-bench shard-sim` runs the dispatch module (VerdictDispatch) on a simulated
  clock and prints one JSON line per N.
- pytest-split: its own `least_duration` (LPT) and `duration_based_chunks` plans, computed by
  `pytest_split.algorithms` from the recorded durations over stand-in items in the file's order
  (the order a plugin run would see is collection order; these files hold their keys sorted).
  Each shard then runs its tests one after another on the *same* realised durations Verdict saw:
  the noise below repeats shard-sim's draw exactly (SplitMix64, Box-Muller, mean-preserving
  lognormal), and the per-seed lower bounds are checked against the ones shard-sim printed, so a
  drift between the two would stop the script instead of skewing the comparison.
- A static shard pays one dispatch latency at its start (a CI job has to start and read its
  plan, as a Verdict worker pays its first pull); it pulls nothing after that.

ratio = realised makespan / LB, LB = max(realised total / N, longest realised test) per seed
(latency excluded). Targets: Verdict mean <= 1.05 and worst <= 1.15 at every N; pulls per run
<= 3 * N * log2(tests); at N >= 4, Verdict below both plans on mean and on worst.

No schedule, dynamic or static, can end before its floor, latency + LB: every worker's first
test starts after one pull. Where Verdict ends every seed at that floor and a plan does too (the
longest test alone sets the bound and both start it at once), neither can be "below" the other:
the row says TIE (at the floor) instead of PASS or MISS, and the summary counts those apart.
"""
import argparse
import glob
import json
import math
import os
import subprocess
import sys
import time

from pytest_split.algorithms import Algorithms

MASK = (1 << 64) - 1


class Item:
    """What pytest-split reads of a pytest item: its node id (and, for tie-breaking, its repr)."""

    __slots__ = ("nodeid", "name")

    def __init__(self, nodeid):
        self.nodeid = nodeid
        self.name = nodeid.rsplit("::", 1)[-1]

    def __repr__(self):
        return f"<Function {self.name}>"


def realised(ids, recorded, order, sigma, seed):
    """shard-sim's noise (Tests/Benchmarks/Bench/ShardSim.swift, `Noise`): one SplitMix64 stream
    per seed, two 53-bit draws per test in UTF-8 byte order of the ids, Box-Muller, then
    exp(sigma*z - sigma^2/2) so each test keeps its recorded duration as its mean."""
    state = seed
    out = [0.0] * len(ids)
    half_variance = sigma * sigma / 2.0
    for index in order:
        draws = []
        for _ in range(2):
            state = (state + 0x9E3779B97F4A7C15) & MASK
            z = state
            z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
            z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
            draws.append(((z ^ (z >> 31)) >> 11) / float(1 << 53))
        normal = math.sqrt(-2.0 * math.log(1.0 - draws[0])) * math.cos(2.0 * math.pi * draws[1])
        out[index] = recorded[index] * math.exp(sigma * normal - half_variance)
    return out


def verdict_lines(bench, path, args):
    command = [bench, "shard-sim", "--durations", path, "--workers", args.workers, "--sigma", str(args.sigma),
               "--seeds", str(args.seeds), "--latency-ms", str(args.latency_ms), "--granularity", "test"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed: {result.stderr.strip()}")
    return {line["workers"]: line for line in map(json.loads, result.stdout.splitlines())}


def static_plans(ids, durations, n):
    items = [Item(test_id) for test_id in ids]
    position = {test_id: index for index, test_id in enumerate(ids)}
    plans = {}
    for name in ("least_duration", "duration_based_chunks"):
        groups = Algorithms[name].value(n, items, durations)
        plans[name] = [[position[item.nodeid] for item in group.selected] for group in groups]
    return plans


def compare_file(path, args, rows):
    with open(path) as f:
        durations = json.load(f)
    ids = list(durations)
    recorded = [float(durations[test_id]) for test_id in ids]
    order = sorted(range(len(ids)), key=lambda index: ids[index].encode())
    ns = [int(n) for n in args.workers.split(",")]
    verdict = verdict_lines(args.bench, path, args)
    plans = {n: static_plans(ids, durations, n) for n in ns}
    latency = args.latency_ms / 1000.0
    ratios = {(n, name): [] for n in ns for name in ("least_duration", "duration_based_chunks")}
    for seed in range(1, args.seeds + 1):
        real = realised(ids, recorded, order, args.sigma, seed)
        total = 0.0
        for index in order:  # the order shard-sim sums in
            total += real[index]
        longest = max(real)
        for n in ns:
            bound = max(total / n, longest)
            swift_bound = verdict[n]["seed_lower_bounds_s"][seed - 1]
            if abs(bound - swift_bound) > 1e-9 * bound:
                sys.exit(f"{os.path.basename(path)} seed {seed} N={n}: lower bound {bound!r} here, {swift_bound!r} in "
                         "shard-sim: the two noise draws differ, so the comparison would not be fair")
            for name, groups in plans[n].items():
                makespan = latency + max(sum(real[index] for index in group) for group in groups)
                ratios[(n, name)].append(makespan / bound)
    name = os.path.basename(path).removesuffix(".test_durations.json")
    for n in ns:
        line = verdict[n]
        ld, dbc = ratios[(n, "least_duration")], ratios[(n, "duration_based_chunks")]
        floors = [1 + latency / bound for bound in line["seed_lower_bounds_s"]]
        for seed_ratios in (ld, dbc, line["seed_ratios"]):
            if any(ratio < floor - 1e-9 for ratio, floor in zip(seed_ratios, floors)):
                sys.exit(f"{name} N={n}: a makespan below latency + LB, which no schedule can reach")
        rows.append({
            "at_floor": all(abs(ratio - floor) <= 1e-9 for ratio, floor in zip(line["seed_ratios"], floors)),
            "file": name, "n": n, "tests": len(ids), "lb": line["lower_bound_s"],
            "mean": line["mean_ratio"], "worst": line["worst_ratio"], "pulls": line["pulls_mean"],
            "pulls_max": line["pulls_max"], "budget": 3 * n * math.log2(len(ids)),
            "ld_mean": sum(ld) / len(ld), "ld_worst": max(ld), "dbc_mean": sum(dbc) / len(dbc), "dbc_worst": max(dbc),
        })


def verdicts(row):
    """Target -> "PASS", "MISS" or "TIE" (Verdict at the floor on every seed, where nothing can be
    below it, and a plan there too); the comparison with the plans only counts at N >= 4."""
    def met(ok):
        return "PASS" if ok else "MISS"

    def beats(ours, theirs):
        if ours < min(theirs):
            return "PASS"
        return "TIE" if row["at_floor"] else "MISS"

    checks = {
        "mean<=1.05": met(row["mean"] <= 1.05),
        "worst<=1.15": met(row["worst"] <= 1.15),
        "pulls<=3NlogU": met(row["pulls_max"] <= row["budget"]),
    }
    if row["n"] >= 4:
        checks["beats plans (mean)"] = beats(row["mean"], (row["ld_mean"], row["dbc_mean"]))
        checks["beats plans (worst)"] = beats(row["worst"], (row["ld_worst"], row["dbc_worst"]))
    return checks


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", default=os.path.join(root, ".build/release/verdict-bench"))
    parser.add_argument("--durations-dir", default=os.environ.get("VERDICT_DURATIONS")
                        or os.path.join(root, "../shared/durations"))
    parser.add_argument("--workers", default="2,4,8,16,32")
    parser.add_argument("--sigma", type=float, default=0.4)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    files = sorted(glob.glob(os.path.join(args.durations_dir, "*.test_durations.json")))
    if not files:
        sys.exit(f"no *.test_durations.json in {args.durations_dir} (set VERDICT_DURATIONS)")
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"{args.bench} is missing: build verdict-bench (swift build -c release --product verdict-bench)")

    started = time.perf_counter()
    rows = []
    for path in files:
        compare_file(path, args, rows)
    elapsed = time.perf_counter() - started

    print(f"dispatch: Verdict's queue vs pytest-split's static plans, per-test units, sigma {args.sigma}, "
          f"{args.seeds} seeds, {args.latency_ms:g} ms a pull; ratio = makespan / per-seed LB")
    header = (f"{'file':<18} {'N':>3} {'LB s':>9} | {'Verdict mean':>12} {'worst':>6} {'pulls':>7} {'budget':>6} | "
              f"{'least_dur mean':>14} {'worst':>6} | {'dur_chunks mean':>15} {'worst':>6} | result")
    print(header)
    print("-" * len(header))
    for row in rows:
        checks = verdicts(row)
        missed = [name for name, result in checks.items() if result == "MISS"]
        tied = [name for name, result in checks.items() if result == "TIE"]
        result = "MISS " + ", ".join(missed) if missed else "TIE" if tied else "PASS"
        if tied:
            result += " (at the floor, as is a plan: " + ", ".join(tied) + ")"
        print(f"{row['file']:<18} {row['n']:>3} {row['lb']:>9.2f} | {row['mean']:>12.4f} {row['worst']:>6.3f} "
              f"{row['pulls']:>7.1f} {row['budget']:>6.0f} | {row['ld_mean']:>14.4f} {row['ld_worst']:>6.3f} | "
              f"{row['dbc_mean']:>15.4f} {row['dbc_worst']:>6.3f} | {result}")
    print()
    for target in ("mean<=1.05", "worst<=1.15", "pulls<=3NlogU", "beats plans (mean)", "beats plans (worst)"):
        judged = [(row, verdicts(row)[target]) for row in rows if target in verdicts(row)]
        failed = [f"{row['file']} N={row['n']}" for row, result in judged if result == "MISS"]
        tied = [f"{row['file']} N={row['n']}" for row, result in judged if result == "TIE"]
        passed = len(judged) - len(failed) - len(tied)
        status = "MISS" if failed else "TIE" if tied else "PASS"
        print(f"dispatch target {target:<20} {status} ({passed}/{len(judged)} met"
              + (f", {len(tied)} tied at the floor latency + LB: {'; '.join(tied)}" if tied else "") + ")"
              + (f" missed: {'; '.join(failed)}" if failed else ""))
    print(f"dispatch: {len(files)} files x {len(args.workers.split(','))} N x {args.seeds} seeds compared in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
