#!/usr/bin/env bash
# LLM-ESR comparison (issue: LLM-ESR on SASRec, GRU4Rec, BERT4Rec): each backbone with and without
# LLM-ESR, over several seeds, tested with full ranking and with 100 sampled negatives, both broken
# down into tail/head items and users. Per run: bench/results/llm-esr/<dataset>/<model>-<dataset>-seed<N>.json;
# then the mean table: bench/results/llm-esr/llm-esr-<dataset>.json (and a Markdown table on stdout).
#   bench/llm-esr.sh amazon-beauty                 # configs/amazon-beauty-llm-esr-*.json, seeds 42 43 44
#   GENREC_EPOCHS=10 GENREC_JOBS=2 bench/llm-esr.sh amazon-beauty
# Item text is embedded once (`genrec text embed`, all-MiniLM-L6-v2 over title + categories/genres; GENREC_TEXT=glove
# for the light fallback) and shared. Each run is tested under full ranking, 100 uniform and 100 popularity-sampled
# negatives, by head/tail items and users under the 20% share and under the paper's thresholds; the tables give
# the mean per model and LLM-ESR minus its backbone seed by seed (mean, sd, s.e.), one per grouping.
# GENREC_EPOCHS caps every run at the same number of epochs (a CPU budget; the configs' own limit is
# 200 epochs with patience 20); GENREC_JOBS runs that many trainings side by side (one libtorch thread
# each); GENREC_BIN runs a copied build. A run whose result file exists is skipped and one stopped midway resumes
# from its run folder's last.ckpt, so an interrupted benchmark continues where it stopped (delete both to start over).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dataset="${1:-amazon-beauty}"
seeds=(${GENREC_SEEDS:-42 43 44})
backbones=(${GENREC_BACKBONES:-sasrec gru4rec bert4rec})
jobs="${GENREC_JOBS:-2}"
bin="${GENREC_BIN:-$root/src/GenRec.Cli/bin/Release/net10.0/GenRec.Cli}"
if [ -z "${GENREC_BIN:-}" ]; then ./genrec --version >/dev/null; fi  # builds when needed
export GENREC_THREADS="${GENREC_THREADS:-1}"
data_path="$(grep -o '"path": *"[^"]*"' "configs/$dataset-llm-esr-sasrec.json" | head -1 | sed 's/.*"\([^"]*\)"$/\1/')"
text="runs/llm-esr/$dataset-${GENREC_TEXT:-minilm}.npy"
out="bench/results/llm-esr/$dataset"
mkdir -p runs/llm-esr "$out"
[ -f "$text" ] || "$bin" text embed "$data_path" --kcore 5 --encoder "${GENREC_TEXT:-minilm}" --out "$text" --show 0
epochs=()
if [ -n "${GENREC_EPOCHS:-}" ]; then epochs=(--epochs "$GENREC_EPOCHS"); fi
list="$(mktemp)"
# Queues one training (config, seed, model name, extra flags) unless its result file exists; its run folder resumes.
queue() {
  [ -f "$out/$3-$dataset-seed$2.json" ] || echo "bench train --config $1 --dataset $dataset --seed $2 --tag seed$2 --long-tail --text-embeddings $text --results $out --resume ${epochs[*]} --model $3 ${4:-} --out runs/llm-esr/$dataset/$3-seed$2" >> "$list"
}
for seed in "${seeds[@]}"; do
  for b in "${backbones[@]}"; do
    queue "configs/$dataset-llm-esr-$b.json" "$seed" "llm-esr-$b"
    queue "configs/$dataset-llm-esr-$b.json" "$seed" "$b" --without-llm-esr
  done
done
# GENREC_ABLATIONS=1 adds, on each backbone of GENREC_BACKBONES with the same seeds and protocol, the paper's ablations
# as their own rows: concat fusion instead of cross-attention, no self-distillation (alpha 0), no PCA initialisation,
# the text view only, and the plain backbone with PCA-initialised ID embeddings (the id view only, alpha 0); and one of
# GenRec's: the cross-attention with each view's own tokens added back (the residual the official code weights 0).
# GENREC_ABLATION_NAMES="concat residual" runs only the ablations named.
if [ -n "${GENREC_ABLATIONS:-}" ]; then
  for b in "${backbones[@]}"; do
    for ablation in 'concat:--set model.semantic_view.fusion=concat' 'no-distillation:--set llm_esr.alpha=0 --set llm_esr.beta=0' \
                    'no-pca:--set llm_esr.pca_init=false' 'text-only:--set model.semantic_view.fusion=text' \
                    'pca-ids:--set model.semantic_view.fusion=id --set llm_esr.alpha=0 --set llm_esr.beta=0' \
                    'residual:--set model.semantic_view.cross_attention_residual=true'; do
      name="${ablation%%:*}"
      if [ -n "${GENREC_ABLATION_NAMES:-}" ] && [[ " $GENREC_ABLATION_NAMES " != *" $name "* ]]; then continue; fi
      model="llm-esr-$b-$name"; [ "$name" = pca-ids ] && model="$b-pca-ids"
      for seed in "${seeds[@]}"; do queue "configs/$dataset-llm-esr-$b.json" "$seed" "$model" "${ablation#*:}"; done
    done
  done
fi
# One training per line; each prints its one-line summary (the line with ->).
xargs -P "$jobs" -I{} sh -c "\"$bin\" {} 2>&1 | grep -a -- '->' || true" < "$list"
rm -f "$list"
"$bin" bench llm-esr-table "$out" --out "bench/results/llm-esr/llm-esr-$dataset.json"
"$bin" bench llm-esr-table "$out" --grouping paper --out "bench/results/llm-esr/llm-esr-$dataset-paper-groups.json"
