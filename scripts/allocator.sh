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

# MKL (inside libtorch_cpu.so) runs its AVX2 code path on AMD processors even where they have AVX-512; on those
# (vendor AuthenticAMD with avx512f/bw/dq/vl) a one-function library, built once from scripts/native/mkl-intel-cpu.c
# with the system C compiler into .genrec/native/, is preloaded so that MKL picks its kernels by instruction set
# (2-3x faster float matrix products here; see the source). GENREC_NO_MKL_AVX512=1 leaves MKL as it is; without a C
# compiler nothing changes.
genrec_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${GENREC_NO_MKL_AVX512:-}" ] && grep -q '^vendor_id.*AuthenticAMD' /proc/cpuinfo 2>/dev/null \
   && [ "$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -cx 'avx512f\|avx512bw\|avx512dq\|avx512vl')" = 4 ]; then
  mkl_source="$genrec_root/scripts/native/mkl-intel-cpu.c"
  mkl_lib="$genrec_root/.genrec/native/libmkl-intel-cpu.so"
  if [ ! -f "$mkl_lib" ] || [ "$mkl_source" -nt "$mkl_lib" ]; then
    mkdir -p "$(dirname "$mkl_lib")"
    # Built to a temporary name and moved into place: a launcher started meanwhile never preloads half a file.
    cc -O2 -shared -fPIC "$mkl_source" -o "$mkl_lib.$$" 2>/dev/null && mv -f "$mkl_lib.$$" "$mkl_lib" || rm -f "$mkl_lib.$$"
  fi
  if [ -f "$mkl_lib" ]; then
    export LD_PRELOAD="${LD_PRELOAD:+$LD_PRELOAD:}$mkl_lib"
  fi
fi
