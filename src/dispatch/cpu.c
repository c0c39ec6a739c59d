#include "dispatch/cpu.h"

#include <string.h>

#if (defined(__x86_64__) || defined(__i386__)) && !defined(MOBINFER_FORCE_SCALAR)
#include <cpuid.h>

static unsigned long long read_xcr0(void)
{
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

/* Intel's deterministic cache parameters (leaf 4), else AMD's L2 leaf. */
static size_t l2_cache_bytes(void)
{
    unsigned a, b, c, d;
    if (__get_cpuid_max(0, NULL) >= 4)
        for (unsigned i = 0; i < 16 && __get_cpuid_count(4, i, &a, &b, &c, &d); i++) {
            unsigned type = a & 0x1f, level = (a >> 5) & 7;
            if (type == 0)
                break;
            if (level == 2 && (type == 1 || type == 3))
                return (size_t)((b >> 22) + 1) * (((b >> 12) & 0x3ff) + 1) * ((b & 0xfff) + 1) *
                       ((size_t)c + 1);
        }
    if ((unsigned)__get_cpuid_max(0x80000000u, NULL) >= 0x80000006u &&
        __get_cpuid(0x80000006u, &a, &b, &c, &d))
        return (size_t)(c >> 16) << 10;
    return 0;
}

void mbi_cpu_detect(mbi_cpu *cpu)
{
    memset(cpu, 0, sizeof *cpu);
    cpu->l2_bytes = l2_cache_bytes();
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return;
    bool fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx)
        return;
    unsigned long long xcr0 = read_xcr0();
    bool ymm_state = (xcr0 & 0x6) == 0x6;
    bool zmm_state = (xcr0 & 0xe6) == 0xe6;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return;
    bool avx2 = (b >> 5) & 1;
    bool f = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
    bool vnni = (c >> 11) & 1;
    cpu->avx2_fma = ymm_state && avx2 && fma;
    cpu->avx512 = cpu->avx2_fma && zmm_state && f && dq && bw && vl;
    cpu->avx512_vnni = cpu->avx512 && vnni;
}
#else
void mbi_cpu_detect(mbi_cpu *cpu)
{
    memset(cpu, 0, sizeof *cpu);
}
#endif

bool mbi_cpu_any(const mbi_cpu *cpu)
{
    (void)cpu;
    return true;
}

bool mbi_cpu_has_avx2(const mbi_cpu *cpu)
{
    return cpu->avx2_fma;
}

bool mbi_cpu_has_avx512(const mbi_cpu *cpu)
{
    return cpu->avx512;
}
