#!/usr/bin/env bash
# Serving benchmark: recall@10 of the HNSW index against exact search over every user's query
# vector, then HTTP latency (p50/p90/p99) and throughput of /recommend and /rank on loopback under
# closed-loop load. Writes bench/results/serving-<dataset>.json.
#   bench/serving.sh                                   # ML-1M SASRec from bench/retrieval.sh
#   bench/serving.sh runs/quickstart/best.ckpt ml-latest-small [ranker.ckpt]
# GENREC_SECONDS (per endpoint, default 15) and GENREC_WORKERS (comma-separated worker counts, default 1,8) shape the load.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
checkpoint="${1:-runs/bench-sasrec-ml-1m/last.ckpt}"
name="${2:-ml-1m}"
ranker=()
if [ -n "${3:-}" ]; then ranker=(--ranker "$3"); fi
if [ ! -f "$checkpoint" ]; then
  echo "no checkpoint at $checkpoint: train one first (bench/retrieval.sh sasrec:ml-1m-sasrec, or ./genrec quickstart)" >&2
  exit 2
fi
./genrec bench serve --checkpoint "$checkpoint" --name "$name" "${ranker[@]}" \
  --seconds "${GENREC_SECONDS:-15}" --concurrency "${GENREC_WORKERS:-1,8}" | grep -E -- '->|hnsw|/recommend|/rank'
