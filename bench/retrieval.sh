#!/usr/bin/env bash
# Trains and tests the sequential retrieval configs and writes bench/results/<model>-<dataset>.json
# (test metrics, epochs run, wall time, sequences/s, peak memory, git revision), one line each.
#   bench/retrieval.sh                       # every config below, full epochs, the config's seed
#   GENREC_MAX_MINUTES=60 bench/retrieval.sh sasrec:ml-1m-sasrec hstu:ml-1m-hstu
#   GENREC_SEEDS="1 2 3" bench/retrieval.sh sasrec:ml-1m-sasrec sasrec-affine:ml-1m-sasrec-affine hstu:ml-1m-hstu
# Arguments are model:config pairs (config from configs/<config>.json). GENREC_MAX_MINUTES caps
# each run's training time (the run records how many epochs it completed); GENREC_EPOCHS caps its
# epochs (a budget that does not depend on the machine); GENREC_COLD_START=0,1,3 adds the simulated cold-start
# test (each test user's first N items only, beside most-popular) to the JSON; GENREC_THREADS caps
# libtorch threads; GENREC_BIN runs a copied build (so rebuilding the tree cannot disturb a long run).
# With GENREC_SEEDS each seed's result goes to bench/results/seeds/<config>/<model>-<dataset>-seed<S>.json,
# its run folder is $GENREC_RUNS/bench-<config>-seed<S> (default ~/genrec-runs; resumed from last.ckpt, and a
# seed whose result exists is skipped), and bench/results/seeds-<config>.json holds the mean and standard
# deviation over the seeds beside the dataset's training-free floors (bench/baselines.sh writes them).
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
if [ -n "${GENREC_EPOCHS:-}" ]; then minutes+=(--epochs "$GENREC_EPOCHS"); fi
if [ -n "${GENREC_COLD_START:-}" ]; then minutes+=(--cold-start "$GENREC_COLD_START"); fi
source bench/lib.sh
run_dirs="${GENREC_RUNS:-$HOME/genrec-runs}"
for pair in "${runs[@]}"; do
  model="${pair%%:*}"; name="${pair#*:}"; config="configs/$name.json"
  if [ -z "${GENREC_SEEDS:-}" ]; then
    genrec bench train --config "$config" --model "$model" "${minutes[@]}" | grep -- '->'
    continue
  fi
  out="bench/results/seeds/$name"
  for seed in $GENREC_SEEDS; do
    if ls "$out"/*-seed"$seed".json >/dev/null 2>&1; then echo "$name seed $seed: done ($(ls "$out"/*-seed"$seed".json))"; continue; fi
    genrec bench train --config "$config" --model "$model" --seed "$seed" --tag "seed$seed" --out "$out" \
      --run-dir "$run_dirs/bench-$name-seed$seed" --resume "${minutes[@]}" | grep -- '->'
  done
  dataset="$(basename "$(grep -o '"path": *"[^"]*"' "$config" | head -1 | sed 's/.*"\([^"]*\)"$/\1/')")"
  floors=(); for f in bench/results/{most-popular,transitions,text-knn}-"$dataset".json; do [ -f "$f" ] && floors+=("$f"); done
  genrec bench seeds-table "$out" ${floors[@]+--floors "${floors[@]}"} --metrics hr@10,ndcg@10,hr@5,ndcg@5 --out "bench/results/seeds-$name.json" | tail -n +1
done
