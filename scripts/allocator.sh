# Sourced by the launchers: libtorch on glibc's default allocator spends much of a large step in
# mmap/munmap. Prefer jemalloc (Debian libjemalloc2, installed by setup.sh); otherwise keep glibc
# from returning memory to the OS on every free.
# jemalloc's default decay still hands freed pages back (madvise) and the next step faults them in
# again: a TIGER step spent more time in the kernel than in libtorch. Here jemalloc never purges
# by itself (decay -1; 1.7x faster: 119 vs 70 examples/s, two 1-thread runs side by side, 2-core
# machine) and the training and evaluation loops purge once the process has grown to 1.5x the working set of
# the minute after the previous purge (src/GenRec/Util/HeapReleasePolicy.cs), which bounds the heap (without it,
# one run grew to 18 GB in 20 minutes); a purge every 10 s, as before, cost a TIGER step two thirds of its time.
# awk reads all of ldconfig's output (no early exit): under the launchers' pipefail an early exit
# could kill ldconfig with SIGPIPE and the whole launcher with status 141.
jemalloc="$(ldconfig -p 2>/dev/null | awk '/libjemalloc\.so\.2 .*x86-64/ && !found {print $NF; found = 1}')"
if [ -n "${GENREC_NO_JEMALLOC:-}" ] || [ -z "$jemalloc" ]; then
  export MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=68719476736
else
  export LD_PRELOAD="${jemalloc}${LD_PRELOAD:+:$LD_PRELOAD}"
  export MALLOC_CONF="${MALLOC_CONF:-dirty_decay_ms:-1,muzzy_decay_ms:-1}"
fi
