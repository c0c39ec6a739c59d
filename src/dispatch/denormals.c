#include "dispatch/denormals.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>

/* MXCSR: flush-to-zero is bit 15, denormals-are-zero bit 6. */
#define MXCSR_FTZ_DAZ 0x8040u

void mbi_denormals_off(mbi_fp_mode *m)
{
    unsigned csr = _mm_getcsr();
    m->saved = csr;
    _mm_setcsr(csr | MXCSR_FTZ_DAZ);
}

void mbi_denormals_restore(const mbi_fp_mode *m)
{
    _mm_setcsr((unsigned)m->saved);
}
#elif defined(__aarch64__)
void mbi_denormals_off(mbi_fp_mode *m)
{
    unsigned long long fpcr;
    __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
    m->saved = fpcr;
    fpcr |= 1ull << 24; /* FZ */
    __asm__ volatile("msr fpcr, %0" : : "r"(fpcr));
}

void mbi_denormals_restore(const mbi_fp_mode *m)
{
    __asm__ volatile("msr fpcr, %0" : : "r"(m->saved));
}
#else
void mbi_denormals_off(mbi_fp_mode *m)
{
    m->saved = 0;
}

void mbi_denormals_restore(const mbi_fp_mode *m)
{
    (void)m;
}
#endif
