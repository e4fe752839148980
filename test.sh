#!/usr/bin/env bash
# Runs every GenRec test: checks the machine (scripts/setup.sh), then `dotnet test` (GenRec sets up its CPU fast paths in
# process: glibc's allocator tuned, MKL's AVX-512 kernels).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"
GENREC_SETUP_QUIET=1 bash scripts/setup.sh
dotnet test GenRec.slnx -c Release --nologo "$@"

# In CI also: the packages, the samples built against them and the console sample run, the genrec tool installed
# from them (scripts/pack.sh --tool) and used as a user would (scripts/tool-check.sh: quickstart from an empty folder,
# training speed within 10% of ./genrec), and the README's tour exactly as written (scripts/tour.sh).
if [ "${CI:-}" = "true" ]; then
  bash scripts/pack.sh --tool
  bash scripts/tool-check.sh
  bash scripts/tour.sh
fi
