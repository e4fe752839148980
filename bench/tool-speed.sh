#!/usr/bin/env bash
# The packed tool and the samples built against the packages, against the repository's ./genrec (issue: fast wherever
# GenRec runs), alternating in this one job on this machine, after scripts/pack.sh --tool:
#   training  the installed tool (started from an empty folder, no preload) vs ./genrec, one epoch of ML-1M SASRec
#             (configs/ml-1m-sasrec.json) and of Amazon Beauty SASRec with full softmax (amazon-beauty-sasrec-ce):
#             sequences/s from the run's metrics.jsonl, GENREC_TOOL_SPEED_RUNS (default 3) runs each;
#   console   samples/ConsoleSample (its SASRec on ml-latest-small, GENREC_SAMPLE_SPEED_EPOCHS epochs, default 30) vs
#             ./genrec train on the same config;
#   web       samples/WebSample serving a quickstart checkpoint vs ./genrec serve on it, `genrec bench load` (/recommend,
#             4 workers, 10 s each).
# Writes bench/results/speed/fast-paths/tool-speed-<comparison>.json (every rate, the medians and their ratio).
# GENREC_TOOL_SPEED_PARTS picks the parts (default "train console web").
#   bash scripts/pack.sh --tool && bench/tool-speed.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tool="$root/artifacts/tool/genrec"
console="$root/samples/ConsoleSample/bin/Release/net10.0/ConsoleSample.dll"
web="$root/samples/WebSample/bin/Release/net10.0/WebSample.dll"
for f in "$tool" "$console" "$web"; do [ -e "$f" ] || { echo "tool-speed: $f missing: run scripts/pack.sh --tool first" >&2; exit 2; }; done
./genrec --version >/dev/null
runs="${GENREC_RUNS:-$HOME/genrec-runs}/tool-speed"; rm -rf "$runs/empty" "$runs"/tool-* "$runs"/launcher-* "$runs"/console-* "$runs"/load-*; mkdir -p "$runs/empty"
shared="$(cd "$root/../shared/data" && pwd)"
clean() { env -u LD_PRELOAD -u MALLOC_CONF -u GENREC_RELAUNCHED -u GENREC_THREADS "$@"; }
run_rate() { grep -o '"samples_per_second": *[0-9.]*' "$1/result.json" | head -1 | grep -o '[0-9.]*$'; }
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
json_list() { local IFS=,; echo "[$*]"; }
parts="${GENREC_TOOL_SPEED_PARTS:-train console web}"
out=bench/results/speed/fast-paths; mkdir -p "$out"
add() { # comparison name, what the host is, host rates (comma list), ./genrec rates
  local t l file="$out/tool-speed-$1.json"; t="$(median ${3//,/ })"; l="$(median ${4//,/ })"
  printf '{\n  "comparison": "%s", "host": "%s", "unit": "%s",\n  "host_rates": [%s], "launcher_rates": [%s],\n  "host_median": %s, "launcher_median": %s, "ratio": %s,\n  "git_revision": "%s", "machine": "%s cores, %s", "date": "%s"\n}\n' \
    "$1" "$2" "$5" "$3" "$4" "$t" "$l" "$(awk -v t="$t" -v l="$l" 'BEGIN {printf "%.3f", t / l}')" "$(git rev-parse --short HEAD)" "$(nproc)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" "$(date -u +%FT%TZ)" > "$file.tmp" && mv "$file.tmp" "$file"
  echo "tool-speed: $1: $2 $3 (median $t), ./genrec $4 (median $l) -> $file"
}

for pair in $([[ " $parts " == *" train "* ]] && echo "ml-1m-sasrec:ml-1m amazon-beauty-sasrec-ce:amazon-beauty"); do
  config="${pair%%:*}"; data="$shared/${pair#*:}"; t=(); l=()
  for i in $(seq "${GENREC_TOOL_SPEED_RUNS:-3}"); do
    (cd "$runs/empty" && clean "$tool" train --config "$config" --data "$data" --epochs 1 --out "$runs/tool-$config-$i" >/dev/null)
    t+=("$(run_rate "$runs/tool-$config-$i")")
    clean ./genrec train --config "configs/$config.json" --epochs 1 --out "$runs/launcher-$config-$i" >/dev/null
    l+=("$(run_rate "$runs/launcher-$config-$i")")
  done
  add "train-$config" "installed tool, empty folder" "$(IFS=,; echo "${t[*]}")" "$(IFS=,; echo "${l[*]}")" "training sequences/s (one epoch)"
done

# The console sample's model as a config for ./genrec (the record defaults fill the rest, as in the sample).
epochs="${GENREC_SAMPLE_SPEED_EPOCHS:-30}"
cat > "$runs/console-sample.json" <<JSON
{ "name": "console-sample", "seed": 42, "data": { "path": "data/ml-latest-small", "kcore": 5 },
  "model": { "encoder": "sasrec", "embedding_dim": 32, "max_sequence_length": 50, "num_blocks": 2, "num_heads": 1, "dropout": 0.2 },
  "train": { "epochs": $epochs, "batch_size": 128, "learning_rate": 0.001, "patience": 0 } }
JSON
t=(); l=()
for i in $([[ " $parts " == *" console "* ]] && echo 1 2); do
  t+=("$(clean dotnet "$console" data/ml-latest-small "$epochs" | sed -n 's/.* at \([0-9.]*\) sequences\/s.*/\1/p')")
  clean ./genrec train --config "$runs/console-sample.json" --out "$runs/console-launcher-$i" >/dev/null
  l+=("$(run_rate "$runs/console-launcher-$i")")
done
[ ${#t[@]} -eq 0 ] || add "console-sample" "samples/ConsoleSample on the packages" "$(IFS=,; echo "${t[*]}")" "$(IFS=,; echo "${l[*]}")" "training sequences/s ($epochs epochs)"
[[ " $parts " == *" web "* ]] || exit 0

clean ./genrec train --config quickstart --max-minutes 0.5 --out "$runs/serve-model" >/dev/null
ckpt="$runs/serve-model/best.ckpt"
serve_rps() { # url name
  local rps; for _ in $(seq 60); do curl -sf -o /dev/null "${1%/recommend}/ready" && break; sleep 1; done
  rps="$(clean ./genrec bench load --url "$1" --users 1:610 --workers 4 --seconds 10 --name "$2" --results "$runs" | sed -n 's/.*recommend_rps=\([0-9.]*\).*/\1/p')"
  echo "$rps"
}
# Started without a shell function in between, so that $! is the server itself (the relaunch keeps its process id).
# The web sample logs at Warning, as genrec serve does for requests (ASP.NET's default logs each request at Information).
unset_env=(-u LD_PRELOAD -u MALLOC_CONF -u GENREC_RELAUNCHED -u GENREC_THREADS)
t=(); l=()
for i in 1 2 3; do
  env "${unset_env[@]}" dotnet "$web" --GenRec:Checkpoint="$ckpt" --urls http://127.0.0.1:5077 --Logging:LogLevel:Default=Warning >"$runs/web-$i.log" 2>&1 & pid=$!
  t+=("$(serve_rps http://127.0.0.1:5077/recs/recommend "websample-$i")"); kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  env "${unset_env[@]}" "$root/src/GenRec.Cli/bin/Release/net10.0/GenRec.Cli" serve --checkpoint "$ckpt" --port 5078 >"$runs/serve-$i.log" 2>&1 & pid=$!
  l+=("$(serve_rps http://127.0.0.1:5078/recommend "serve-$i")"); kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
done
add "web-sample" "samples/WebSample on the packages" "$(IFS=,; echo "${t[*]}")" "$(IFS=,; echo "${l[*]}")" "/recommend requests/s (4 workers, 10 s)"

