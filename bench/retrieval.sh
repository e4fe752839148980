#!/usr/bin/env bash
# Trains and tests the sequential retrieval configs and writes bench/results/<model>-<dataset>.json
# (test metrics, epochs run, wall time, sequences/s, peak memory, git revision), one line each.
#   bench/retrieval.sh                       # every config below, full epochs
#   GENREC_MAX_MINUTES=60 bench/retrieval.sh sasrec:ml-1m-sasrec hstu:ml-1m-hstu
# Arguments are model:config pairs (config from configs/<config>.json). GENREC_MAX_MINUTES caps
# each run's training time (the run records how many epochs it completed); GENREC_THREADS caps
# libtorch threads; GENREC_BIN runs a copied build (so rebuilding the tree cannot disturb a long run).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs=("$@")
if [ ${#runs[@]} -eq 0 ]; then
  runs=(sasrec:ml-1m-sasrec hstu:ml-1m-hstu hstu-large:ml-1m-hstu-large gru4rec:ml-1m-gru4rec bert4rec:ml-1m-bert4rec
        sasrec:amazon-beauty-sasrec hstu:amazon-beauty-hstu)
fi
minutes=()
if [ -n "${GENREC_MAX_MINUTES:-}" ]; then minutes=(--max-minutes "$GENREC_MAX_MINUTES"); fi
for pair in "${runs[@]}"; do
  model="${pair%%:*}"; config="configs/${pair#*:}.json"
  if [ -n "${GENREC_BIN:-}" ]; then
    (source scripts/allocator.sh; exec "$GENREC_BIN" bench train --config "$config" --model "$model" "${minutes[@]}") | grep -- '->'
  else
    ./genrec bench train --config "$config" --model "$model" "${minutes[@]}" | grep -- '->'
  fi
done
