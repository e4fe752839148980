#!/usr/bin/env bash
# GPU benchmark in one short call on a GPU machine (issue: GPU): packing here, unpacking there; the benchmark itself is
# `genrec bench gpu` (its --help lists the steps and their caps).
#   bench/gpu.sh pack [IDS]              # here: self-contained publish without libtorch + the data it needs -> .device/
#                                        # (git-ignored); IDS: Beauty's semantic IDs (default runs/semantic-ids/amazon-beauty-minilm.tsv)
#   bench/gpu.sh run OUTDIR [OPTIONS]    # there: unpack, load the machine's PyTorch libtorch (route 2 in docs/gpu.md), then
#                                        # genrec bench gpu --results OUTDIR OPTIONS (e.g. --part tiger --tiger-minutes 6)
# On the device tool:  command "bash bench/gpu.sh run $OUT", carry [".device"]. Results go to bench/results/speed/gpu/.
# A CPU dry run of the benchmark checks it before GPU time is spent on it:
#   ./genrec bench gpu --results /tmp/gpu-dry --device cpu --minutes 0.1 --speed-steps 3 --skip-tiger --semantic-ids none
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mode="${1:?usage: bench/gpu.sh pack [IDS] | run OUTDIR [OPTIONS]}"

if [ "$mode" = pack ]; then
  GenRecDuckDb=false ../shared/tools/device-pack.sh src/GenRec.Cli/GenRec.Cli.csproj  # DuckDB stays on the CPU machine
  rm -rf .device/data && mkdir -p .device/data
  cp -r ../shared/data/ml-1m .device/data/
  mkdir -p .device/data/amazon-beauty && cp ../shared/data/amazon-beauty/{s3rec_Beauty.txt,items.jsonl} .device/data/amazon-beauty/
  cp "${2:-runs/semantic-ids/amazon-beauty-minilm.tsv}" .device/data/amazon-beauty-minilm.tsv
  du -sh .device
  exit 0
fi
[ "$mode" = run ] || { echo "bench/gpu.sh: unknown mode '$mode' (pack, run)" >&2; exit 2; }

out="${2:?usage: bench/gpu.sh run OUTDIR [OPTIONS]}"
shift 2
mkdir -p .device/app && tar -C .device/app -xJf .device/app.tar.xz
# Route 2: the machine's PyTorch supplies libtorch (with CUDA); the publish carries none.
GENREC_LIBTORCH="$(python3 -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')"
export GENREC_LIBTORCH
export LD_LIBRARY_PATH="$GENREC_LIBTORCH:${LD_LIBRARY_PATH:-}"
if [ ! -d ../shared/data/ml-1m ] && [ -d .device/data ]; then
  mkdir -p ../shared/data && for d in .device/data/*/; do ln -sfn "$PWD/$d" "../shared/data/$(basename "$d")"; done
fi
exec .device/app/GenRec.Cli bench gpu --results "$out" --semantic-ids .device/data/amazon-beauty-minilm.tsv "$@"
