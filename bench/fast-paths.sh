#!/usr/bin/env bash
# Which CPU fast path buys what (issue: fast wherever GenRec runs), arm by arm, one model per family, one run each, one
# after the other on this machine: SASRec with full softmax (Amazon Beauty shapes: B128 x L50, 12,101 items) and HSTU
# (ML-1M shapes: B128 x L200, 3,706 items) on fixed-shape synthetic batches (`bench speed`), a TIGER training step
# (Beauty, random semantic IDs: the step's cost does not depend on the IDs), and serving (`bench serve` on a quickstart
# checkpoint, /recommend and /rank under 8 closed-loop workers). The arms switch the paths off in process:
#   none             glibc malloc's defaults, MKL's AVX2 vendor path     (what a process got before: started directly)
#   jemalloc         jemalloc (the command relaunches itself under it), MKL AVX2
#   mkl              glibc defaults, MKL AVX-512 (in-process dispatch on AMD)
#   both             jemalloc + MKL AVX-512 (the default where jemalloc is installed)
#   glibc-tuned      glibc with mallopt (no mmap per buffer, no trim), MKL AVX2
#   glibc-tuned-mkl  glibc with mallopt + MKL AVX-512 (the default without jemalloc, and in a library host that does not relaunch)
# Results: bench/results/speed/fast-paths/<model>-<arm>.json. Ratios within one run are the claim; run nothing else meanwhile.
#   bench/fast-paths.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./genrec --version >/dev/null                                      # builds when needed
bin="$root/src/GenRec.Cli/bin/Release/net10.0/GenRec.Cli"
out=bench/results/speed/fast-paths
runs="${GENREC_RUNS:-$HOME/genrec-runs}/fast-paths"
mkdir -p "$out" "$runs"
beauty="${GENREC_BEAUTY:-../shared/data/amazon-beauty}"
tiny_tiger=(--config amazon-beauty-tiger --data "$beauty" --set train.max_validation_users=20 --set train.beams=2 --set train.warmup_steps=5)
"$bin" train --config quickstart --max-minutes 0.5 --out "$runs/serve-model" >/dev/null
arms=('none|GENREC_NO_JEMALLOC=1 GENREC_NO_MALLOC_TUNING=1 GENREC_NO_MKL_AVX512=1' 'jemalloc|GENREC_NO_MKL_AVX512=1'
      'mkl|GENREC_NO_JEMALLOC=1 GENREC_NO_MALLOC_TUNING=1' 'both|' 'glibc-tuned|GENREC_NO_JEMALLOC=1 GENREC_NO_MKL_AVX512=1'
      'glibc-tuned-mkl|GENREC_NO_JEMALLOC=1')
for arm in "${arms[@]}"; do
  IFS='|' read -r name switches <<< "$arm"
  # A clean start: no preload or jemalloc settings inherited from the caller; the arm's switches only.
  g() { env -u LD_PRELOAD -u MALLOC_CONF -u GENREC_RELAUNCHED $switches "$bin" "$@"; }
  g bench speed --config amazon-beauty-sasrec-ce --items 12101 --steps "${GENREC_FAST_STEPS:-8}" --warmup 3 --tag "$name" --results "$out" | grep -o -- '->.*'
  g bench speed --config ml-1m-hstu --items 3706 --steps "${GENREC_FAST_STEPS:-8}" --warmup 3 --tag "$name" --results "$out" | grep -o -- '->.*'
  rm -rf "$runs/tiger-$name"
  g tiger train "${tiny_tiger[@]}" --random-ids --epochs 2 --steps-per-epoch "${GENREC_FAST_TIGER_STEPS:-6}" --no-test \
    --tag "fast-path-$name" --out "$runs/tiger-$name" --results "$out" | grep -a -o -- '->.*'
  g bench serve --checkpoint "$runs/serve-model/best.ckpt" --index exact --concurrency 8 --seconds "${GENREC_FAST_SERVE_SECONDS:-10}" \
    --name ml-latest-small --tag "$name" --results "$out" | grep -o -- '->.*'
done
