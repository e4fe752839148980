#!/usr/bin/env bash
# HSTU generative ranking against the history-free baseline, and batched (M-FALCON) vs one-by-one
# candidate scoring (64, 256, 1,024 candidates on a 200-item history). Writes
# bench/results/hstu-ranking-<dataset>.json and history-free-ranking-<dataset>.json.
#   bench/ranking.sh                     # ml-latest-small (bundled, rated) and ML-1M (order-only)
#   bench/ranking.sh ml-latest-small     # one config: configs/<name>-hstu-ranking.json
#   bench/ranking.sh ml-1m:features      # configs/ml-1m-hstu-ranking-features.json, results tagged "features"
#   GENREC_SEEDS="1 2" bench/ranking.sh ml-1m ml-1m:features   # per seed: bench/results/seeds/<config>/*-seed<S>.json,
#                                        # run folders in $GENREC_RUNS (default ~/genrec-runs, resumed; a seed with a
#                                        # result is skipped), mean and sd in bench/results/seeds-<config>.json
# GENREC_MAX_MINUTES caps each model's training, GENREC_EPOCHS its epochs (a budget that does not depend on the
# machine); GENREC_BIN runs a copied build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then names=(ml-latest-small ml-1m); fi
minutes=()
if [ -n "${GENREC_MAX_MINUTES:-}" ]; then minutes=(--max-minutes "$GENREC_MAX_MINUTES"); fi
if [ -n "${GENREC_EPOCHS:-}" ]; then minutes+=(--epochs "$GENREC_EPOCHS"); fi
source bench/lib.sh
run_dirs="${GENREC_RUNS:-$HOME/genrec-runs}"
for name in "${names[@]}"; do
  # configs/<dataset>-hstu-ranking-<tag>.json (e.g. ml-1m:features) writes results tagged <tag>.
  config="configs/${name%%:*}-hstu-ranking${name#"${name%%:*}"}.json"; config="${config/:/-}"
  label=""; [[ "$name" == *:* ]] && label="${name#*:}"
  if [ -z "${GENREC_SEEDS:-}" ]; then
    tag=(); [ -n "$label" ] && tag=(--tag "$label")
    genrec bench rank --config "$config" "${tag[@]}" "${minutes[@]}" | grep -E -- '->|candidate scoring'
    continue
  fi
  out="bench/results/seeds/$(basename "$config" .json)"
  for seed in $GENREC_SEEDS; do
    seed_tag="${label:+$label-}seed$seed"
    if ls "$out"/hstu-ranking-*-"$seed_tag".json >/dev/null 2>&1; then echo "$config seed $seed: done"; continue; fi
    genrec bench rank --config "$config" --seed "$seed" --tag "$seed_tag" --out "$out" --runs "$run_dirs" --resume "${minutes[@]}" | grep -E -- '->|candidate scoring'
  done
  genrec bench seeds-table "$out" --metrics "$(python3 -c 'import json,sys; print(",".join(json.load(open(sys.argv[1]))["metrics"]))' "$(ls "$out"/hstu-ranking-*.json | head -1)")" \
    --out "bench/results/seeds-$(basename "$config" .json).json"
done
