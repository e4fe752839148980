#!/usr/bin/env python3
"""Selected-epoch, last-epoch and best-test-epoch figures of seeded runs, mean and sd over the seeds.

Reads each seed's bench JSON in bench/results/retrieval/seeds/<config>/ and, for the best test epoch, the per-epoch test
curve in its run folder ($GENREC_RUNS/bench-<config>-seed<S>/metrics.jsonl, written by test_every_epoch runs).
The best test epoch looks at the test item, so it can never choose a model; it is printed to compare with
published figures that came from early stopping on test.
    bench/epoch-columns.py ml-1m-sasrec ml-1m-hstu
"""
import glob
import json
import os
import statistics
import sys

runs = os.environ.get("GENREC_RUNS", os.path.expanduser("~/genrec-runs"))
keys = ["hr@10", "ndcg@10"]


def spread(values):
    sd = statistics.stdev(values) if len(values) > 1 else float("nan")
    return f"{statistics.mean(values):.4f} ± {sd:.4f}"


for config in sys.argv[1:]:
    columns = {"selected": [], "last": [], "best test": []}
    for path in sorted(glob.glob(f"bench/results/retrieval/seeds/{config}/*.json")):
        run = json.load(open(path))
        seed = run["config"]["seed"]
        curve_path = os.path.join(runs, f"bench-{config}-seed{seed}", "metrics.jsonl")
        with open(curve_path) as f:
            curve = [json.loads(line) for line in f if line.strip()]
        tested = [e for e in curve if e.get("test")]
        if not tested:
            sys.exit(f"{curve_path}: no per-epoch test figures (the run needs test_every_epoch)")
        best = max(tested, key=lambda e: e["test"]["hr@10"])
        last = run["training"]["extra"]["last_epoch_test"]
        columns["selected"].append(run["metrics"])
        columns["last"].append(last)
        columns["best test"].append(best["test"])
        print(f"{config} seed {seed}: selected epoch {run['training']['best_epoch']} hr@10 {run['metrics']['hr@10']:.4f}, "
              f"last {last['hr@10']:.4f}, best test epoch {best['epoch']} hr@10 {best['test']['hr@10']:.4f}")
    for name, rows in columns.items():
        print(f"  {config} {name}: " + " / ".join(f"{k} {spread([r[k] for r in rows])}" for k in keys))
