#!/usr/bin/env bash
# LLM-ESR's training throughput beside its plain backbone's, one epoch each on the same machine, one after the
# other with the same threads (GENREC_THREADS, default 2): bench/results/llm-esr/speed/<model>-<dataset>-speed.json
# (samples_per_second in "training") and the ratio on stdout.
#   bench/llm-esr-speed.sh [amazon-beauty] [sasrec|gru4rec|bert4rec]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dataset="${1:-amazon-beauty}"; backbone="${2:-sasrec}"
./genrec --version >/dev/null
bin="$root/src/GenRec.Cli/bin/Release/net10.0/GenRec.Cli"
export GENREC_THREADS="${GENREC_THREADS:-2}"
text="${GENREC_TEXT_EMBEDDINGS:-runs/llm-esr/$dataset-minilm.npy}"
data_path="$(grep -o '"path": *"[^"]*"' "configs/$dataset-llm-esr-$backbone.json" | head -1 | sed 's/.*"\([^"]*\)"$/\1/')"
[ -f "$text" ] || { mkdir -p "$(dirname "$text")"; "$bin" text embed "$data_path" --kcore 5 --out "$text" --show 0; }
out=bench/results/llm-esr/speed
common=(bench train --config "configs/$dataset-llm-esr-$backbone.json" --dataset "$dataset" --epochs 1 --text-embeddings "$text" --tag speed --results "$out")
"$bin" "${common[@]}" --model "$backbone" --without-llm-esr --out "$(mktemp -d)" | grep -- '->'
"$bin" "${common[@]}" --model "llm-esr-$backbone" --out "$(mktemp -d)" | grep -- '->'
python3 - "$out/$backbone-$dataset-speed.json" "$out/llm-esr-$backbone-$dataset-speed.json" <<'PY' 2>/dev/null || true
import json, sys
plain, llm = (json.load(open(p))["training"]["samples_per_second"] for p in sys.argv[1:3])
print(f"LLM-ESR trains at {llm / plain:.0%} of the plain backbone's sequences/s ({llm:.0f} vs {plain:.0f})")
PY
