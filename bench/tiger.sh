#!/usr/bin/env bash
# TIGER (issue: TIGER): item vectors -> RQ-VAE semantic IDs -> the training-free floors on the same vectors ->
# TIGER with constrained beam search, beside the paper's ablation with random IDs at the same budget.
#   bench/tiger.sh amazon-beauty     # IDs from item text: all-MiniLM-L6-v2 (from its NuGet package) over title, categories, brand, price
#   bench/tiger.sh amazon-sports     # no item text: IDs from item co-occurrence (--collaborative 64)
#   GENREC_IDS=letter bench/tiger.sh amazon-beauty     # LETTER's published IDs (../shared/data/amazon-beauty/reference), our encoder not involved
#   GENREC_EPOCHS=4 bench/tiger.sh amazon-beauty       # a budget: validations of 500 steps each (the config trains up to 200)
#   GENREC_NO_COLLISION_INPUT=1 bench/tiger.sh amazon-beauty   # also TIGER without the collision code in the encoder
#                                                      # input (model.input_collision_code false; 1.55x faster here) at the same budget
#   GENREC_TIGER_FAST=1 GENREC_THREADS=1 GENREC_EPOCHS=8 bench/tiger.sh amazon-beauty   # every TIGER run with bf16 matrix
#                                                      # products and without the collision code in the input (each 1.37x
#                                                      # in bench/tiger-speed.sh), tagged bf16-no-collision-input, run folders <name>-fast
# Writes bench/results/tiger/rqvae-<dataset>[-<ids>].json, {most-popular,transitions,text-knn}-unfiltered-<dataset>.json,
# tiger[-<ids>]-<dataset>.json and tiger-random-ids-<dataset>.json. Run folders live in GENREC_RUNS (default
# ~/genrec-runs, outside the work tree) and every run resumes from its last.ckpt, so the script can be stopped and
# started again. TIGER runs first with both cores (GENREC_THREADS, default 2), then the ablation with the same budget.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dataset="${1:-amazon-beauty}"
config="configs/$dataset-tiger.json"
bin="${GENREC_BIN:-$root/src/GenRec.Cli/bin/Release/net10.0/GenRec.Cli}"
if [ -z "${GENREC_BIN:-}" ]; then ./genrec --version >/dev/null; fi  # builds when needed
export GENREC_THREADS="${GENREC_THREADS:-2}"
runs="${GENREC_RUNS:-$HOME/genrec-runs}"
data_path="$(grep -o '"path": *"[^"]*"' "$config" | head -1 | sed 's/.*"\([^"]*\)"$/\1/')"
from="${GENREC_IDS:-$([ "$dataset" = amazon-sports ] && echo collaborative || echo minilm)}"
ids="$runs/ids/$dataset-$from.tsv"
vectors="$runs/ids/$dataset-$from.npy"
mkdir -p "$runs/ids"
if [ ! -f "$ids" ]; then
  case "$from" in
    collaborative) "$bin" semantic-ids "$data_path" --collaborative 64 --out "$ids" --name "$dataset" ;;
    letter) "$bin" semantic-ids "$data_path" --import-letter "$data_path/reference/letter_Beauty.index.json" --out "$ids" ;;
    minilm | arctic-xs | glove)
      [ -f "$vectors" ] || "$bin" text embed "$data_path" --encoder "$from" --out "$vectors" --show 0
      "$bin" semantic-ids "$data_path" --embeddings "$vectors" --out "$ids" --name "$dataset-$from" ;;
    *) echo "GENREC_IDS: unknown source '$from' (minilm, arctic-xs, glove, collaborative, letter)" >&2; exit 2 ;;
  esac
fi
# Floors under TIGER's protocol (no history filtering), text kNN on the vectors the IDs were built from.
knn=(); if [ -f "$vectors" ]; then knn=(--embeddings "$vectors"); fi
"$bin" bench baselines "$data_path" --name "$dataset" --no-history-filter "${knn[@]}" | grep -a -- '->'
budget=(); if [ -n "${GENREC_EPOCHS:-}" ]; then budget+=(--epochs "$GENREC_EPOCHS"); fi
# Names: the ID source (unless the dataset's default) and the fast variant, in the JSON tag and the run folder.
ids_tag=""; if [ "$from" != minilm ] && [ "$from" != collaborative ]; then ids_tag="$from"; fi
fast_tag=""; suffix=""
if [ -n "${GENREC_TIGER_FAST:-}" ]; then
  fast_tag="bf16-no-collision-input"; suffix="-fast"
  budget+=(--set compute.precision=bf16 --set model.input_collision_code=false)
fi
tag_of() { local t; t="$(IFS=-; echo "$*")"; t="${t#-}"; t="${t%-}"; if [ -n "$t" ]; then echo "--tag $t"; fi; }
"$bin" tiger train --config "$config" --semantic-ids "$ids" $(tag_of "$ids_tag" "$fast_tag") --out "$runs/tiger-$dataset-$from$suffix" --resume "${budget[@]}" | grep -a -- '->\|error'
"$bin" tiger train --config "$config" --random-ids $(tag_of "$fast_tag") --out "$runs/tiger-random-ids-$dataset$suffix" --resume "${budget[@]}" | grep -a -- '->\|error'
if [ -n "${GENREC_NO_COLLISION_INPUT:-}" ]; then
  "$bin" tiger train --config "$config" --set model.input_collision_code=false --semantic-ids "$ids" $(tag_of "$ids_tag" no-collision-input) --out "$runs/tiger-$dataset-$from-no-collision-input" --resume "${budget[@]}" | grep -a -- '->\|error'
fi
