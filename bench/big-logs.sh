#!/usr/bin/env bash
# Preparation of large synthetic interaction logs: today's in-memory loader (CSV) against DuckDB (CSV and Parquet),
# wall time and peak resident memory of each, into bench/results/data/prepare-large-logs.json. The logs are generated
# here (genrec data synthesize: userId,movieId,rating,timestamp; uniform users, popularity-skewed items) under
# $GENREC_RUNS/big-logs, never committed; each measurement is kept there and the JSON lists them all.
#   bench/big-logs.sh                 # 20M rows (all three paths) and 200M rows (DuckDB; the in-memory loader needs
#                                     # ~80 bytes a row, 16 GB at 200M, so it runs there only with GENREC_BIG_INMEMORY=1)
#   GENREC_BIG_ROWS="20000000" bench/big-logs.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./genrec --version >/dev/null
bin="$root/src/GenRec.Cli/bin/Release/net10.0/GenRec.Cli"
work="${GENREC_RUNS:-$HOME/genrec-runs}/big-logs"
mkdir -p "$work"
rows_list="${GENREC_BIG_ROWS:-20000000 200000000}"
memory="${GENREC_DUCKDB_MEMORY:-4GB}"
measure() { # name rows format command...: appends {"path", "rows", "format", "wall_s", "peak_rss_mb", "exit"}
  local name="$1" rows="$2" format="$3"; shift 3
  local stats="$work/time.txt" rc=0
  /usr/bin/time -f '%e %M' -o "$stats" "$@" > "$work/$name-$rows-$format.log" 2>&1 || rc=$?
  read -r wall kb < <(tail -1 "$stats")
  echo "$name $rows $format: ${wall} s, $((kb / 1024)) MB peak, exit $rc"
  echo "{\"path\": \"$name\", \"rows\": $rows, \"format\": \"$format\", \"wall_s\": $wall, \"peak_rss_mb\": $((kb / 1024)), \"exit\": $rc, \"git_revision\": \"$(git rev-parse --short HEAD)\"}" > "$work/entry-$name-$rows-$format.json"
}
for rows in $rows_list; do
  users=$((rows / 100)); items=$((rows / 400))
  dir="$work/rows-$rows"; mkdir -p "$dir"
  for ext in csv parquet; do
    [ -f "$dir/ratings.$ext" ] || "$bin" data synthesize --rows "$rows" --users "$users" --items "$items" --out "$dir/ratings.$ext"
  done
  if [ "$rows" -le 20000000 ] || [ -n "${GENREC_BIG_INMEMORY:-}" ]; then
    measure in-memory "$rows" csv "$bin" data prepare "$dir" --kcore 5 --out "$work/in-memory-$rows.grd"
  fi
  for ext in csv parquet; do
    measure duckdb "$rows" "$ext" "$bin" data prepare-large "$dir/ratings.$ext" --kcore 5 --memory-limit "$memory" --out "$work/duckdb-$rows-$ext.grd"
  done
  rm -f "$work"/*.grd
done
rev="$(git rev-parse --short HEAD)"
{
  echo "{"
  echo "  \"benchmark\": \"prepare-large-logs\","
  echo "  \"config\": {\"kcore\": 5, \"duckdb_memory_limit\": \"$memory\", \"users\": \"rows / 100\", \"items\": \"rows / 400\", \"generator\": \"genrec data synthesize, setseed 0.42\"},"
  echo "  \"seed\": 0.42,"
  echo "  \"git_revision\": \"$rev\","
  echo "  \"device\": \"cpu: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB\","
  echo "  \"runs\": ["
  # Every measurement made so far (a later run for other sizes keeps the earlier ones).
  ls "$work"/entry-*.json | xargs -n1 cat | sed 's/^/    /' | sed '$!s/$/,/'
  echo "  ]"
  echo "}"
} > bench/results/data/prepare-large-logs.json
cat bench/results/data/prepare-large-logs.json
