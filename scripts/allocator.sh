# Sourced by the launchers: libtorch on glibc's default allocator spends much of a large step in
# mmap/munmap. Prefer jemalloc (Debian libjemalloc2, installed by setup.sh); otherwise keep glibc
# from returning memory to the OS on every free.
# awk reads all of ldconfig's output (no early exit): under the launchers' pipefail an early exit
# could kill ldconfig with SIGPIPE and the whole launcher with status 141.
jemalloc="$(ldconfig -p 2>/dev/null | awk '/libjemalloc\.so\.2 .*x86-64/ && !found {print $NF; found = 1}')"
if [ -n "${GENREC_NO_JEMALLOC:-}" ] || [ -z "$jemalloc" ]; then
  export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736
else
  export LD_PRELOAD="${jemalloc}${LD_PRELOAD:+:$LD_PRELOAD}"
fi
