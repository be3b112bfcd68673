"""How close can any dispatcher come to the lower bound on one (suite, N) row of shard_compare.py?

usage: shard_feasibility.py [--bench .build/release/verdict-bench] [--durations FILE] [--workers 8]
                            [--sigma 0.4] [--seeds 20] [--latency-ms 50] [--fresh-seeds 2000]

Written for hypha at N=8 (1,774 tests, twelve of 29-42 s and the rest tiny, so four workers must
run two long tests each), where Verdict misses mean <= 1.05 and worst <= 1.15. It uses the
realised durations shard-sim and shard_compare.py use (the same `realised` draw), and compares:

- Verdict: `verdict-bench shard-sim`, per seed.
- Clairvoyant references, knowing every realised duration in advance: the floor latency + LB;
  latency + max(LB, OPT of the long tests alone), an exact lower bound of any schedule; LPT on
  the realised durations (one latency per worker, like a static plan), an upper bound of OPT.
- Online greedy, idealised: long tests one per pull in recorded-LPT order, each to the worker
  that frees first (what Verdict does, and the only use a non-clairvoyant dispatcher can make of
  completions), with the tiny tests poured in afterwards as a fluid that costs no pulls. It is
  optimistic for the tiny tests and so close to the best a pull-based dispatcher can do.
- A bound for every non-clairvoyant dispatcher. Until the first long test completes nothing is
  known of any long test's realised duration (the tiny tests' noise is independent), so the long
  tests started before then, the first wave S, are chosen blind, and starting one later than
  t = 0 cannot help. Give the dispatcher everything after that for free: it places the other
  long tests knowing their realised durations, optimally (exact search), each starting as soon
  as a worker is free. The makespan is at least latency + max(LB, that optimum). For the
  recorded-LPT first wave this bounds Verdict and every LPT-ordered dispatcher; the minimum over
  all first waves, taken after seeing the seeds, bounds every dispatcher (and flatters it).
- The same on fresh seeds (1001 onwards), to tell the instance from the luck of seeds 1-20: the
  share of seeds above 1.15 and of blocks of 20 seeds that would meet the targets.

"Long" units are those recorded at >= total / (4 N); the exhaustive search over first waves is
skipped when there are more than 16 of them.
"""
import argparse
import heapq
import itertools
import json
import os
import subprocess
import sys

from shard_compare import realised

LONG_SEARCH_LIMIT = 16


def verdict_ratios(args, first, count):
    command = [args.bench, "shard-sim", "--durations", args.durations, "--workers", str(args.workers),
               "--sigma", str(args.sigma), "--seeds", str(count), "--first-seed", str(first),
               "--latency-ms", str(args.latency_ms)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed: {result.stderr.strip()}")
    line = json.loads(result.stdout)
    return line["seed_ratios"], line["seed_lower_bounds_s"], line["pulls_max"]


def best_makespan(ready, jobs, floor):
    """Exact: the least max(floor, ready_w + load_w) over every placement of `jobs` on workers
    free at `ready` (several jobs may share a worker). Branch and bound, longest job first."""
    jobs = sorted(jobs, reverse=True)
    loads = sorted(ready)
    greedy = list(loads)
    for job in jobs:
        index = min(range(len(greedy)), key=greedy.__getitem__)
        greedy[index] += job
    best = max([floor] + greedy)

    def place(k, worst):
        nonlocal best
        if worst >= best:
            return
        if k == len(jobs):
            best = worst
            return
        tried = set()
        for index, load in enumerate(loads):
            if load in tried or load + jobs[k] >= best:
                continue
            tried.add(load)
            loads[index] = load + jobs[k]
            place(k + 1, max(worst, loads[index]))
            loads[index] = load

    place(0, max([floor] + loads))
    return best


def waterfill(free, work):
    """The level L at which sum(max(0, L - f)) over the workers' free times f equals `work`."""
    free = sorted(free)
    for k in range(1, len(free) + 1):
        level = (work + sum(free[:k])) / k
        if k == len(free) or level <= free[k]:
            return level


class Instance:
    def __init__(self, path, n, sigma, latency):
        with open(path) as f:
            durations = json.load(f)
        self.ids = list(durations)
        self.recorded = [float(durations[i]) for i in self.ids]
        self.order = sorted(range(len(self.ids)), key=lambda i: self.ids[i].encode())
        # shard-sim's queue: longest recorded first, ties by id in UTF-8 byte order.
        self.queue = sorted(range(len(self.ids)), key=lambda i: (-self.recorded[i], self.ids[i].encode()))
        total = sum(self.recorded)
        self.longs = [i for i in self.queue if self.recorded[i] >= total / (4 * n)]
        self.tiny = self.queue[len(self.longs):]
        self.n, self.sigma, self.latency = n, sigma, latency

    def seed(self, seed):
        real = realised(self.ids, self.recorded, self.order, self.sigma, seed)
        total = 0.0
        for index in self.order:  # the order shard-sim sums in
            total += real[index]
        return real, max(total / self.n, max(real))

    def lpt_realised(self, real):
        heap = [(0.0, w) for w in range(self.n)]
        for unit in sorted(range(len(real)), key=lambda i: -real[i]):
            load, worker = heapq.heappop(heap)
            heapq.heappush(heap, (load + real[unit], worker))
        return self.latency + max(load for load, _ in heap)

    def online_greedy(self, real, long_order):
        heap = [(0.0, w) for w in range(self.n)]
        for unit in long_order:
            free, worker = heapq.heappop(heap)
            heapq.heappush(heap, (free + self.latency + real[unit], worker))
        free = [t for t, _ in heap]
        return max(max(free), waterfill(free, sum(real[u] for u in self.tiny)))

    def blind_first_wave_bound(self, long_real, first_wave):
        """Makespan bound (without latency) when `first_wave` (positions in self.longs) starts at
        t = 0 and the rest is placed clairvoyantly once the first of them completes."""
        wave = [long_real[i] for i in first_wave]
        rest = [long_real[i] for i in range(len(long_real)) if i not in first_wave]
        ready = wave + [min(wave)] * (self.n - len(wave))
        return best_makespan(ready, rest, max(wave))


def summary(name, ratios):
    print(f"  {name:<66} mean {sum(ratios) / len(ratios):.4f}  worst {max(ratios):.3f}  "
          f"seeds > 1.15: {sum(r > 1.15 for r in ratios)}/{len(ratios)}")


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--bench", default=os.path.join(root, ".build/release/verdict-bench"))
    parser.add_argument("--durations", default=os.path.join(root, "../shared/durations/hypha.test_durations.json"))
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--sigma", type=float, default=0.4)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--fresh-seeds", type=int, default=2000)
    args = parser.parse_args()
    n, latency = args.workers, args.latency_ms / 1000
    inst = Instance(args.durations, n, args.sigma, latency)
    k = len(inst.longs)
    print(f"{os.path.basename(args.durations)} N={n}: {len(inst.ids)} units, {k} long "
          f"(recorded {', '.join(f'{inst.recorded[u]:.1f}' for u in inst.longs)} s)")
    if k <= n:
        sys.exit("no more long units than workers: nothing to pair, nothing to bound here")
    lpt_wave = tuple(range(n))

    verdict, bounds, pulls = verdict_ratios(args, 1, args.seeds)
    rows = {}
    long_real = {}
    for seed in range(1, args.seeds + 1):
        real, bound = inst.seed(seed)
        if abs(bound - bounds[seed - 1]) > 1e-9 * bound:
            sys.exit(f"seed {seed}: lower bound {bound!r} here, {bounds[seed - 1]!r} in shard-sim")
        p = [real[u] for u in inst.longs]
        long_real[seed] = (p, bound)
        longs_opt = best_makespan([0.0] * n, p, 0.0)
        ratio = {
            "clairvoyant floor: latency + LB": latency + bound,
            f"clairvoyant bound: latency + max(LB, p{n}+p{n + 1})": latency + max(bound, sum(sorted(p)[-n - 1:-n + 1])),
            "clairvoyant bound: latency + max(LB, OPT of the long tests)": latency + max(bound, longs_opt),
            "clairvoyant LPT on realised durations (>= OPT)": inst.lpt_realised(real),
            "online greedy, recorded LPT, tiny tests free (idealised)": inst.online_greedy(real, inst.longs),
            "  same, second-wave long tests shortest first":
                inst.online_greedy(real, inst.longs[:n] + inst.longs[n:][::-1]),
            "  same, the shortest long tests in the first wave":
                inst.online_greedy(real, inst.longs[k - n:] + inst.longs[:k - n]),
            "any dispatcher with the recorded-LPT first wave (bound)":
                latency + max(bound, inst.blind_first_wave_bound(p, lpt_wave)),
        }
        for name, makespan in ratio.items():
            rows.setdefault(name, []).append(makespan / bound)
    print(f"\nseeds 1-{args.seeds} (ratio = makespan / LB):")
    summary(f"Verdict (shard-sim), pulls max {pulls}", verdict)
    for name, ratios in rows.items():
        summary(name, ratios)
    print("  per seed, Verdict:             " + " ".join(f"{r:.3f}" for r in verdict))
    print("  per seed, LPT first-wave bound: " + " ".join(f"{r:.3f}" for r in rows[
        "any dispatcher with the recorded-LPT first wave (bound)"]))

    if k <= LONG_SEARCH_LIMIT:
        passing = []
        best = None
        waves = 0
        for size in range(1, n + 1):
            for wave in itertools.combinations(range(k), size):
                waves += 1
                ratios = [(latency + max(bound, inst.blind_first_wave_bound(p, wave))) / bound
                          for p, bound in long_real.values()]
                mean, worst = sum(ratios) / len(ratios), max(ratios)
                if best is None or worst < best[1]:
                    best = (mean, worst, wave)
                if mean <= 1.05 and worst <= 1.15:
                    passing.append(wave)
        print(f"  first waves (of {waves}) whose bound meets both targets, chosen after seeing the seeds: "
              f"{len(passing)}; the best: mean {best[0]:.4f} worst {best[1]:.3f}, long tests "
              f"{', '.join(f'{inst.recorded[inst.longs[i]]:.1f}' for i in best[2])} s")

    if args.fresh_seeds:
        first = 1001
        verdict, _, _ = verdict_ratios(args, first, args.fresh_seeds)
        fresh = {"Verdict (shard-sim)": verdict, "online greedy, tiny tests free (idealised)": [],
                 "any dispatcher with the recorded-LPT first wave (bound)": []}
        for seed in range(first, first + args.fresh_seeds):
            real, bound = inst.seed(seed)
            p = [real[u] for u in inst.longs]
            fresh["online greedy, tiny tests free (idealised)"].append(inst.online_greedy(real, inst.longs) / bound)
            fresh["any dispatcher with the recorded-LPT first wave (bound)"].append(
                (latency + max(bound, inst.blind_first_wave_bound(p, lpt_wave))) / bound)
        print(f"\nfresh seeds {first}-{first + args.fresh_seeds - 1}, and their blocks of {args.seeds}:")
        for name, ratios in fresh.items():
            blocks = [ratios[i:i + args.seeds] for i in range(0, len(ratios) - args.seeds + 1, args.seeds)]
            print(f"  {name:<58} mean {sum(ratios) / len(ratios):.4f}  seeds > 1.15: "
                  f"{sum(r > 1.15 for r in ratios) / len(ratios):.1%}  blocks meeting mean <= 1.05: "
                  f"{sum(sum(b) / len(b) <= 1.05 for b in blocks)}/{len(blocks)}, worst <= 1.15: "
                  f"{sum(max(b) <= 1.15 for b in blocks)}/{len(blocks)}")


if __name__ == "__main__":
    main()
