#!/usr/bin/env bash
# GPU benchmark in one short call on a GPU machine (issue: GPU). Two halves:
#   bench/gpu.sh pack          # here: self-contained publish without libtorch + the data it needs -> .device/ (git-ignored)
#   bench/gpu.sh run OUTDIR    # there: ML-1M SASRec, HSTU, HSTU-large (101 epochs), Amazon Beauty TIGER (as many
#                              # steps as fit), and GenRec vs PyTorch SASRec training speed on the same GPU; JSON -> OUTDIR
#   bench/gpu.sh run OUTDIR tiger   # TIGER only (issue: TIGER), for a whole call: GENREC_GPU_TIGER_MINUTES of training
#                              # (default 6), validation every GENREC_GPU_TIGER_STEPS steps (default 2000: ~0.5M examples)
# `run` loads the machine's PyTorch libtorch (route 2 in docs/gpu.md: GENREC_LIBTORCH=<torch/lib>), prints `genrec doctor`,
# and caps each training run with GENREC_GPU_MINUTES (default 1.25) so that the whole call fits a 10-minute command.
# On the device tool:  command "bash bench/gpu.sh run $OUT", carry [".device"]. Results go to bench/results/speed/gpu/.
# A CPU dry run of `run` checks the script before GPU time is spent on it:
#   GENREC_GPU_DEVICE=cpu GENREC_GPU_MINUTES=0.1 GENREC_GPU_SPEED_STEPS=3 GENREC_GPU_SKIP_TIGER=1 GENREC_BIN=src/GenRec.Cli/bin/Release/net10.0/GenRec.Cli bench/gpu.sh run /tmp/gpu-dry
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mode="${1:?usage: bench/gpu.sh pack | run OUTDIR}"

if [ "$mode" = pack ]; then
  GenRecDuckDb=false ../shared/tools/device-pack.sh src/GenRec.Cli/GenRec.Cli.csproj  # DuckDB stays on the CPU machine
  rm -rf .device/data && mkdir -p .device/data
  cp -r ../shared/data/ml-1m .device/data/
  mkdir -p .device/data/amazon-beauty && cp ../shared/data/amazon-beauty/{s3rec_Beauty.txt,items.jsonl} .device/data/amazon-beauty/
  ids="${GENREC_TIGER_IDS:-runs/semantic-ids/amazon-beauty-minilm.tsv}"
  cp "$ids" .device/data/amazon-beauty-minilm.tsv
  du -sh .device
  exit 0
fi

out="${2:?usage: bench/gpu.sh run OUTDIR [tiger]}"
only="${3:-all}"
[ "$only" = all ] || [ "$only" = tiger ] || { echo "bench/gpu.sh run: unknown part '$only' (tiger, or nothing for all)" >&2; exit 2; }
mkdir -p "$out"
device="${GENREC_GPU_DEVICE:-cuda}"
minutes="${GENREC_GPU_MINUTES:-1.25}"
if [ -z "${GENREC_BIN:-}" ]; then
  mkdir -p .device/app && tar -C .device/app -xJf .device/app.tar.xz
  GENREC_BIN="$PWD/.device/app/GenRec.Cli"
  # Route 2: the machine's PyTorch supplies libtorch (with CUDA); the publish carries none.
  GENREC_LIBTORCH="$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
  export GENREC_LIBTORCH
  export LD_LIBRARY_PATH="$GENREC_LIBTORCH:${LD_LIBRARY_PATH:-}"
fi
if [ ! -d ../shared/data/ml-1m ] && [ -d .device/data ]; then
  mkdir -p ../shared/data && for d in .device/data/*/; do ln -sfn "$PWD/$d" "../shared/data/$(basename "$d")"; done
fi
ids=.device/data/amazon-beauty-minilm.tsv
[ -f "$ids" ] || ids="${GENREC_TIGER_IDS:-runs/semantic-ids/amazon-beauty-minilm.tsv}"
log="$out/gpu-log.txt"
step() { echo "== $* ($(date +%T))" | tee -a "$log"; }

step doctor
"$GENREC_BIN" doctor 2>&1 | tee -a "$log"
if [ "$only" = all ]; then
  step "speed: GenRec SASRec"
  "$GENREC_BIN" bench speed --config configs/ml-1m-sasrec.json --device "$device" --steps "${GENREC_GPU_SPEED_STEPS:-200}" --results "$out" 2>&1 | tee -a "$log"
  step "speed: PyTorch SASRec"
  if python3 -c 'import torch' 2>/dev/null; then
    python3 bench/reference/sasrec_speed.py --device "$device" --steps "${GENREC_GPU_SPEED_STEPS:-200}" --out "$out" 2>&1 | tee -a "$log"
  else
    echo "no PyTorch here: reference speed skipped" | tee -a "$log"
  fi
  for pair in sasrec:ml-1m-sasrec hstu:ml-1m-hstu hstu-large:ml-1m-hstu-large; do
    step "train ${pair%%:*}"
    "$GENREC_BIN" bench train --config "configs/${pair#*:}.json" --model "${pair%%:*}" --device "$device" --max-minutes "$minutes" \
      --out "runs/gpu-${pair%%:*}" --results "$out" 2>&1 | grep -a -- '->\|error' | tee -a "$log" || true
  done
fi
if [ "${GENREC_GPU_SKIP_TIGER:-0}" = 1 ]; then step done; ls "$out" | tee -a "$log"; exit 0; fi  # CPU dry runs: TIGER's test pass alone takes ~10 min there
tiger_minutes="$minutes"; tiger_steps=500
if [ "$only" = tiger ]; then tiger_minutes="${GENREC_GPU_TIGER_MINUTES:-6}"; tiger_steps="${GENREC_GPU_TIGER_STEPS:-2000}"; fi
step "train tiger ($tiger_minutes min, validation every $tiger_steps steps)"
"$GENREC_BIN" tiger train --config configs/amazon-beauty-tiger.json --semantic-ids "$ids" --device "$device" --max-minutes "$tiger_minutes" \
  --steps-per-epoch "$tiger_steps" --epochs 1000 --out runs/gpu-tiger --results "$out" 2>&1 | grep -a -- '->\|error' | tee -a "$log" || true
cp runs/gpu-tiger/metrics.jsonl "$out/tiger-metrics.jsonl" 2>/dev/null || true  # the learning curve
step done
ls "$out" | tee -a "$log"
