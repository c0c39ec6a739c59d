/* Denormal floats make x86 (and some ARM) arithmetic tens of times slower:
 * a network whose activations decay through many sigmoids produces them,
 * and one run can then take three times as long. Runs therefore flush
 * denormal results and inputs to zero (FTZ and DAZ on x86, FZ on AArch64),
 * as inference engines commonly do; values below 1.2e-38 become 0. The mode
 * is per thread: the session sets it around a run and restores the
 * caller's, the pool's workers set it once. */
#ifndef MBI_DISPATCH_DENORMALS_H
#define MBI_DISPATCH_DENORMALS_H

typedef struct mbi_fp_mode {
    unsigned long long saved;
} mbi_fp_mode;

/* Saves the calling thread's floating-point control state into *m and turns
 * on flush-to-zero. */
void mbi_denormals_off(mbi_fp_mode *m);

/* Restores what mbi_denormals_off saved. */
void mbi_denormals_restore(const mbi_fp_mode *m);

#endif
