#!/usr/bin/env bash
# A recorded tuning grid that selects on the validation split only (issue: Amazon retrieval). Each variant is the base
# config (configs/<config>.json) with a few fields changed by a JSON merge patch; every variant trains the same number of
# epochs (GENREC_EPOCHS, default 50) with the base config's seed, in $GENREC_RUNS/grid-<config>-<variant> (resumable).
# Each variant's bench JSON (its full config, best validation metrics and epoch, and the test metrics, which play no part
# in the choice) goes to bench/results/grid/<config>/; bench/results/grid-<config>.json ranks the variants by best
# validation NDCG@10 with the standard error of validation HR@10 over the users.
#   bench/grid.sh amazon-beauty-sasrec-ce base:{} 'dropout-0.3:{"model":{"dropout":0.3}}' 'length-200:{"model":{"max_sequence_length":200}}'
# GENREC_BIN runs a copied build (as bench/retrieval.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
base="${1:?usage: bench/grid.sh <config> <name>:<json patch> ...}"; shift
[ $# -gt 0 ] || { echo "give at least one variant (name:{json merge patch}; base:{} is the config itself)" >&2; exit 2; }
epochs="${GENREC_EPOCHS:-50}"
runs="${GENREC_RUNS:-$HOME/genrec-runs}"
out="bench/results/grid/$base"
work="$runs/grid-configs/$base"
mkdir -p "$out" "$work"
source bench/lib.sh
for variant in "$@"; do
  name="${variant%%:*}"; patch="${variant#*:}"
  [[ "$name" =~ ^[a-z0-9.-]+$ ]] || { echo "variant name '$name': use lower-case letters, digits, '.' and '-'" >&2; exit 2; }
  python3 bench/config-variant.py "configs/$base.json" "$work/$name.json" "$patch" --name-suffix "$name"
  if ls "$out/$name"-*.json >/dev/null 2>&1; then echo "$base $name: done"; continue; fi
  genrec bench train --config "$work/$name.json" --model "$name" --out "$out" \
    --run-dir "$runs/grid-$base-$name" --resume --epochs "$epochs" | grep -- '->'
done
dataset="$(basename "$(grep -o '"path": *"[^"]*"' "configs/$base.json" | head -1 | sed 's/.*"\([^"]*\)"$/\1/')")"
python3 - "$out" "bench/results/grid-$base.json" "$base" "$epochs" "bench/results/most-popular-$dataset.json" <<'PY'
import glob, json, math, os, re, sys
folder, target, base, epochs, floor = sys.argv[1:]
# Leave-one-out: one validation case per user, as many as the floor's test users.
users = None
if os.path.exists(floor):
    match = re.search(r"(\d+) test users", json.load(open(floor))["protocol"])
    users = int(match.group(1)) if match else None
rows = []
for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
    result = json.load(open(path))
    training = result.get("training") or {}
    validation = training.get("best_validation") or {}
    ndcg = validation.get("ndcg@10")
    rows.append({
        "variant": result["model"],
        "config": result["config"],
        "best_epoch": training.get("best_epoch"),
        "epochs_run": training.get("epochs_run"),
        "validation": {k: validation[k] for k in ("hr@10", "ndcg@10") if k in validation},
        "test": {k: result["metrics"][k] for k in ("hr@10", "ndcg@10") if k in result["metrics"]},
        "samples_per_second": training.get("samples_per_second"),
        "file": path,
    })
rows.sort(key=lambda r: -(r["validation"].get("ndcg@10") or 0))
# Standard error of a validation HR@10 over the users (binomial); differences between variants smaller than about
# twice it are noise. (Per-user NDCG is not in the JSON; its standard error is at most sqrt(ndcg@10 / users).)
se = None
if users and rows and "hr@10" in rows[0]["validation"]:
    p = rows[0]["validation"]["hr@10"]
    se = math.sqrt(p * (1 - p) / users)
json.dump({"base": base, "epochs": int(epochs), "selected_on": "best validation ndcg@10 (test shown, not used)",
           "validation_users": users, "se_validation_hr@10": se,
           "variants": rows}, open(target, "w"), indent=2)
print(f"{'variant':<16} {'val ndcg@10':>11} {'val hr@10':>9} {'best ep':>7} {'test ndcg@10':>12} {'test hr@10':>10}")
for r in rows:
    v, t = r["validation"], r["test"]
    print(f"{r['variant']:<16} {v.get('ndcg@10', float('nan')):>11.4f} {v.get('hr@10', float('nan')):>9.4f} {r['best_epoch'] or 0:>7} {t.get('ndcg@10', float('nan')):>12.4f} {t.get('hr@10', float('nan')):>10.4f}")
if se is not None:
    print(f"standard error of validation hr@10 over {users} users: {se:.4f}")
print(f"-> {target}")
PY
