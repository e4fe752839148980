#!/usr/bin/env bash
# Baselines that need no training (MostPopular, item transitions), full ranking, leave-one-out,
# on ML-1M, Amazon Beauty, Amazon Sports (from ../shared/data or $GENREC_DATA) and the bundled
# ml-latest-small. Writes bench/results/<baseline>-<dataset>.json and prints one line per result.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="${GENREC_DATA:-$root/../shared/data}"
cd "$root"
for name in ml-1m amazon-beauty amazon-sports; do
  if [ -d "$data/$name" ]; then
    ./genrec bench baselines "$data/$name" --name "$name" | grep -v '^\s*$' | grep -- '->'
  else
    echo "skipping $name: $data/$name not found" >&2
  fi
done
./genrec bench baselines data/ml-latest-small --kcore 5 --name ml-latest-small | grep -- '->'
