#!/usr/bin/env bash
# HSTU generative ranking against the history-free baseline, and batched (M-FALCON) vs one-by-one
# candidate scoring (64, 256, 1,024 candidates on a 200-item history). Writes
# bench/results/hstu-ranking-<dataset>.json and history-free-ranking-<dataset>.json.
#   bench/ranking.sh                     # ml-latest-small (bundled, rated) and ML-1M (order-only)
#   bench/ranking.sh ml-latest-small     # one config: configs/<name>-hstu-ranking.json
#   bench/ranking.sh ml-1m:features      # configs/ml-1m-hstu-ranking-features.json, results tagged "features"
# GENREC_MAX_MINUTES caps each model's training; GENREC_BIN runs a copied build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
names=("$@")
if [ ${#names[@]} -eq 0 ]; then names=(ml-latest-small ml-1m); fi
minutes=()
if [ -n "${GENREC_MAX_MINUTES:-}" ]; then minutes=(--max-minutes "$GENREC_MAX_MINUTES"); fi
for name in "${names[@]}"; do
  # configs/<dataset>-hstu-ranking-<tag>.json (e.g. ml-1m:features) writes results tagged <tag>.
  config="configs/${name%%:*}-hstu-ranking${name#"${name%%:*}"}.json"; config="${config/:/-}"
  tag=(); [[ "$name" == *:* ]] && tag=(--tag "${name#*:}")
  args=(bench rank --config "$config" "${tag[@]}" "${minutes[@]}")
  if [ -n "${GENREC_BIN:-}" ]; then
    (source scripts/allocator.sh; exec "$GENREC_BIN" "${args[@]}") | grep -E -- '->|candidate scoring'
  else
    ./genrec "${args[@]}" | grep -E -- '->|candidate scoring'
  fi
done
