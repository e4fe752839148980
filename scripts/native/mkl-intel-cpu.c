/*
 * Preloaded by scripts/allocator.sh on AMD processors with AVX-512 (Zen 4 and later).
 *
 * libtorch's CPU build links Intel MKL for its float matrix products. MKL picks its kernels by CPU vendor: on an
 * AMD processor it runs its generic AVX2 ("zen") code path even where the processor has AVX-512, because its
 * dispatcher asks mkl_serv_intel_cpu_true() before it looks at the instruction set. libtorch_cpu.so calls that
 * function through its procedure linkage table, so a preloaded definition answers instead: MKL then selects its
 * kernels by the CPU's instruction set alone (CPUID), as it does on Intel processors. Measured on the 2-core AMD
 * EPYC VM (one thread, sgemm of a [5376, 128] x [128, 1024] product): 53 GFLOP/s on the vendor path, 111 on the
 * AVX-512 path, with the same results to float rounding.
 */
int mkl_serv_intel_cpu_true(void) { return 1; }
