#!/usr/bin/env bash
# Side information, with and without, same budget and protocol (issue: user features, item categories):
# ML-1M (last item, full ranking) SASRec and HSTU, each id-only and with users.dat features + genres, 2 seeds each,
# with the simulated cold start (each test user's first 0, 1 and 3 items) in every result; Amazon Beauty SASRec
# (full softmax) with category paths beside the id-only config's seeds. Resumable; a seed with a result is skipped.
#   bench/features.sh                      # everything (hours on a 2-core CPU: ~45 min per ML-1M run)
#   bench/features.sh amazon-beauty        # only the Beauty pair
# The ML-1M ranker pair trains GENREC_RANK_EPOCHS epochs (default 2) per model and seed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export GENREC_COLD_START="${GENREC_COLD_START:-0,1,3}"
if [ "${1:-ml-1m}" = "ml-1m" ]; then
  GENREC_SEEDS="${GENREC_SEEDS:-1 2}" bench/retrieval.sh sasrec:ml-1m-sasrec sasrec-features:ml-1m-sasrec-features hstu:ml-1m-hstu hstu-features:ml-1m-hstu-features
  # The HSTU ranker without and with features (configs/ml-1m-hstu-ranking{,-features}.json), the same epochs each.
  GENREC_SEEDS="${GENREC_SEEDS:-1 2}" GENREC_EPOCHS="${GENREC_RANK_EPOCHS:-2}" GENREC_MAX_MINUTES=600 bench/ranking.sh ml-1m ml-1m:features
fi
if [ "${1:-amazon-beauty}" = "amazon-beauty" ] || [ -z "${1:-}" ]; then
  GENREC_SEEDS="${GENREC_SEEDS:-42 43 44}" GENREC_EPOCHS="${GENREC_EPOCHS:-104}" bench/retrieval.sh sasrec-ce-category:amazon-beauty-sasrec-ce-category
fi
