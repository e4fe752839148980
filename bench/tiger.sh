#!/usr/bin/env bash
# TIGER (issue: TIGER): item vectors -> RQ-VAE semantic IDs -> TIGER with constrained beam search,
# beside the paper's ablation with random IDs. Writes bench/results/rqvae-<dataset>.json,
# tiger-<dataset>.json and tiger-random-ids-<dataset>.json.
#   bench/tiger.sh amazon-beauty     # IDs from item text (SIF over GloVe: title, categories, brand, price)
#   bench/tiger.sh amazon-sports     # no item text: IDs from item co-occurrence (--collaborative 64)
#   GENREC_EPOCHS=2 bench/tiger.sh amazon-beauty          # a CPU budget (the config trains up to 200 epochs)
# GENREC_IDS=text|collaborative overrides the item vectors; GENREC_EPOCHS and GENREC_STEPS (optimiser
# steps per epoch) cap training; TIGER and the ablation run side by side with one libtorch thread each
# (GENREC_JOBS=1: one after the other). An existing ID table is reused (delete it to rebuild).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dataset="${1:-amazon-beauty}"
config="configs/$dataset-tiger.json"
bin="${GENREC_BIN:-$root/src/GenRec.Cli/bin/Release/net10.0/linux-x64/GenRec.Cli}"
if [ -z "${GENREC_BIN:-}" ]; then ./genrec --version >/dev/null; fi  # builds when needed
source scripts/allocator.sh
data_path="$(grep -o '"path": *"[^"]*"' "$config" | head -1 | sed 's/.*"\([^"]*\)"$/\1/')"
ids="$(grep -o '"semantic_ids": *"[^"]*"' "$config" | sed 's/.*"\([^"]*\)"$/\1/')"
from="${GENREC_IDS:-$([ "$dataset" = amazon-sports ] && echo collaborative || echo text)}"
mkdir -p "$(dirname "$ids")"
if [ ! -f "$ids" ]; then
  if [ "$from" = collaborative ]; then
    "$bin" semantic-ids "$data_path" --collaborative 64 --out "$ids" --name "$dataset"
  else
    "$bin" text embed "$data_path" --out "runs/semantic-ids/$dataset-text.npy" --show 0
    "$bin" semantic-ids "$data_path" --embeddings "runs/semantic-ids/$dataset-text.npy" --out "$ids" --name "$dataset"
  fi
fi
budget=()
if [ -n "${GENREC_EPOCHS:-}" ]; then budget+=(--epochs "$GENREC_EPOCHS"); fi
if [ -n "${GENREC_STEPS:-}" ]; then budget+=(--steps-per-epoch "$GENREC_STEPS"); fi
if [ "${GENREC_JOBS:-2}" = 1 ]; then
  "$bin" tiger train --config "$config" "${budget[@]}"
  "$bin" tiger train --config "$config" --random-ids "${budget[@]}"
else
  export GENREC_THREADS="${GENREC_THREADS:-1}"
  "$bin" tiger train --config "$config" "${budget[@]}" > "runs/tiger-$dataset.log" 2>&1 &
  "$bin" tiger train --config "$config" --random-ids "${budget[@]}" > "runs/tiger-random-ids-$dataset.log" 2>&1 &
  wait
  grep -a -h -- '->' "runs/tiger-$dataset.log" "runs/tiger-random-ids-$dataset.log" || true
fi
