#!/usr/bin/env bash
# TIGER training throughput on this machine, one variant after the other (issue: TIGER): the config as it is (fp32),
# bf16 matrix products, and without the collision code in the encoder input (a quarter fewer input tokens).
# Each variant trains GENREC_TIGER_SPEED_EPOCHS (default 2) x GENREC_TIGER_SPEED_STEPS (default 12) steps from scratch,
# validating on 20 users with 2 beams, untested (--no-test); bench/results/tiger-speed/<variant>-<dataset>.json has
# examples/s (training.samples_per_second) and the run's metrics.jsonl gives each interval's. Ratios between the
# variants of one run are the claim; run nothing else meanwhile.
#   bench/tiger-speed.sh amazon-beauty ~/genrec-runs/ids/amazon-beauty-minilm.tsv
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dataset="${1:-amazon-beauty}"
ids="${2:?usage: bench/tiger-speed.sh <dataset> <semantic ids .tsv>}"
runs="${GENREC_RUNS:-$HOME/genrec-runs}/tiger-speed"
out=bench/results/tiger-speed
mkdir -p "$runs" "$out"
source bench/lib.sh
for variant in 'fp32:{}' 'bf16:{"compute":{"precision":"bf16"}}' 'no-collision-input:{"model":{"input_collision_code":false}}'; do
  name="${variant%%:*}"
  python3 bench/config-variant.py "configs/$dataset-tiger.json" "$runs/$name.json" \
    '{"train":{"max_validation_users":20,"beams":2,"warmup_steps":5}}' "${variant#*:}"
  rm -rf "$runs/run-$name"
  genrec tiger train --config "$runs/$name.json" --semantic-ids "$ids" --epochs "${GENREC_TIGER_SPEED_EPOCHS:-2}" \
    --steps-per-epoch "${GENREC_TIGER_SPEED_STEPS:-12}" --no-test --tag "speed-$name" --run-dir "$runs/run-$name" --bench-out "$out" | grep -a -- '->'
  python3 -c "import json, sys; print('  examples/s per interval:', ' '.join(f\"{json.loads(l)['samples_per_second']:.1f}\" for l in open(sys.argv[1])))" "$runs/run-$name/metrics.jsonl"
done
