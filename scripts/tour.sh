#!/usr/bin/env bash
# Runs the README's five-minute tour exactly as written (the bash block between <!-- tour:begin --> and
# <!-- tour:end -->), so that the documented commands cannot rot. CI runs it after the tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
tour="$(sed -n '/<!-- tour:begin -->/,/<!-- tour:end -->/p' README.md | sed '1,2d;$d' | sed '$d')"
[ -n "$tour" ] || { echo "tour.sh: no tour block in README.md" >&2; exit 1; }
echo "$tour" | sed 's/^/[tour] /'
# The served model's port must be free; the service is stopped however the tour ends.
trap 'kill %1 2>/dev/null || true' EXIT
set -x
eval "$tour"
