#!/usr/bin/env bash
# Serving soak (issue: serving you can expose): genrec serve in its own process on loopback, loaded by
# `genrec bench soak`: 20 s closed-loop saturation, then /recommend for known users paced at 1,000 req/s
# from 8 workers for 5 minutes with a validated hot reload every 5 s, then ad-hoc histories (a forward
# pass each) at 500 req/s for 1 minute. Writes bench/results/serving-soak[-histories]-ml-1m.json.
#   bench/soak.sh [checkpoint]     # default: a 2-epoch ML-1M SASRec in $GENREC_RUNS/serve (trained when missing)
# Run it on an idle machine: the load generator shares the cores (its CPU share is in the JSON).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs="${GENREC_RUNS:-$HOME/genrec-runs}"
checkpoint="${1:-$runs/serve/ml-1m-sasrec/last.ckpt}"
if [ ! -f "$checkpoint" ]; then
  ./genrec train --config configs/ml-1m-sasrec.json --epochs 2 --out "$(dirname "$checkpoint")"
fi
second="$(dirname "$checkpoint")/second.ckpt"
cp "$checkpoint" "$second"
./genrec bench soak --checkpoint "$checkpoint" --reload-checkpoint "$second" --name ml-1m \
  --seconds "${GENREC_SECONDS:-300}" --rate 1000 --workers 8 --saturation-seconds 20 --reload-every 5
./genrec bench soak --checkpoint "$checkpoint" --name ml-1m --requests history \
  --seconds "${GENREC_HISTORY_SECONDS:-60}" --rate 500 --workers 8 --saturation-seconds 20 --reload-every 0
