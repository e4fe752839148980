#!/usr/bin/env bash
# TIGER training throughput on this machine, one variant after the other (issue: TIGER): the config as it is (fp32),
# bf16 matrix products, without the collision code in the encoder input (a quarter fewer input tokens), and MKL's
# AVX2 vendor path instead of its AVX-512 kernels (on AMD processors).
# Each variant trains GENREC_TIGER_SPEED_EPOCHS (default 3) x GENREC_TIGER_SPEED_STEPS (default 12) steps from scratch,
# validating on 20 users with 2 beams, untested (--no-test); bench/results/tiger/tiger-speed/<variant>-<dataset>.json has
# examples/s (training.samples_per_second) and intervals-<dataset>.json each interval's per variant. Ratios between the
# variants of one run are the claim; run nothing else meanwhile.
#   bench/tiger-speed.sh amazon-beauty ~/genrec-runs/ids/amazon-beauty-minilm.tsv
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dataset="${1:-amazon-beauty}"
ids="${2:?usage: bench/tiger-speed.sh <dataset> <semantic ids .tsv>}"
runs="${GENREC_RUNS:-$HOME/genrec-runs}/tiger-speed"
out=bench/results/tiger/tiger-speed
mkdir -p "$runs" "$out"
source bench/lib.sh
# Variants: name|environment|config change. mkl-avx2 is the configured model on MKL's vendor code path (no AVX-512
# patch on AMD processors, see src/GenRec/Compute/MklVendorDispatch.cs).
summary="$out/intervals-$dataset.json"; echo '{}' > "$summary.tmp"
for variant in 'fp32||' 'bf16||--set compute.precision=bf16' 'no-collision-input||--set model.input_collision_code=false' \
               'mkl-avx2|GENREC_NO_MKL_AVX512=1|'; do
  IFS='|' read -r name environment change <<< "$variant"
  rm -rf "$runs/run-$name"
  ( if [ -n "$environment" ]; then export "$environment"; fi
    genrec tiger train --config "configs/$dataset-tiger.json" --set train.max_validation_users=20 --set train.beams=2 --set train.warmup_steps=5 $change --semantic-ids "$ids" --epochs "${GENREC_TIGER_SPEED_EPOCHS:-3}" \
      --steps-per-epoch "${GENREC_TIGER_SPEED_STEPS:-12}" --no-test --tag "speed-$name" --out "$runs/run-$name" --results "$out" ) | grep -a -- '->'
  # Examples/s per interval: the first includes the heap's warm-up, the last is the steady rate.
  python3 - "$runs/run-$name/metrics.jsonl" "$summary.tmp" "$name" <<'PY'
import json, sys
rates = [round(json.loads(line)["samples_per_second"], 1) for line in open(sys.argv[1])]
print("  examples/s per interval:", " ".join(f"{r:.1f}" for r in rates))
summary = json.load(open(sys.argv[2])); summary[sys.argv[3]] = rates
json.dump(summary, open(sys.argv[2], "w"), indent=2)
PY
done
mv "$summary.tmp" "$summary"
