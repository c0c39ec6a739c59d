/* CPU features detected once per session (cpuid); the kernel tables are
 * chosen from them. No global state: callers keep the struct. */
#ifndef MBI_DISPATCH_CPU_H
#define MBI_DISPATCH_CPU_H

#include <stdbool.h>
#include <stddef.h>

typedef struct mbi_cpu {
    bool avx2_fma;    /* AVX2 + FMA3, with OS support for YMM state */
    bool avx512;      /* AVX-512 F, BW, DQ, VL, with OS support for ZMM state */
    bool avx512_vnni;
    size_t l2_bytes;  /* one core's L2 cache (cpuid); 0 when unknown */
} mbi_cpu;

/* Fills *cpu. With the build option MOBINFER_FORCE_SCALAR every feature
 * reads false, so only the portable C kernels run. */
void mbi_cpu_detect(mbi_cpu *cpu);

/* The `supported` predicates of the kernel families' variant tables. */
bool mbi_cpu_any(const mbi_cpu *cpu);
bool mbi_cpu_has_avx2(const mbi_cpu *cpu);
bool mbi_cpu_has_avx512(const mbi_cpu *cpu);

#endif
