#!/usr/bin/env bash
# Runs every GenRec test: checks the machine (scripts/setup.sh), then `dotnet test` with the fast allocator.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
GENREC_SETUP_QUIET=1 bash scripts/setup.sh
source scripts/allocator.sh
dotnet test GenRec.slnx -c Release --nologo "$@"
