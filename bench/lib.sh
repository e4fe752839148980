# Sourced by the bench scripts (after `cd "$root"`).
# genrec: a copied build when GENREC_BIN names one (so rebuilding the tree cannot disturb a long run), else ./genrec.
genrec() {
  if [ -n "${GENREC_BIN:-}" ]; then "$GENREC_BIN" "$@"; else ./genrec "$@"; fi
}
