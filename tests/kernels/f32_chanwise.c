/* f32-chanwise: every variant's sum, axpy, scale and scale_rows against a
 * plain double-precision reference on odd sizes (C = 1..70, P = 1..50),
 * unaligned pointers and row strides wider than C; exact-size buffers with
 * canaries around outputs and strided gaps, so a touch outside the block
 * shows (and ASan sees reads past the end). Variants the CPU lacks are
 * skipped and reported. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dispatch/cpu.h"
#include "kernels/f32-chanwise/f32_chanwise.h"

static uint32_t rng = 12345u;
static float frand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (float)(rng >> 8) / 8388608.0f - 1.0f;
}

#define CANARY 777.0f

static int close_to(float got, double want, double scale)
{
    return fabs((double)got - want) <= 1e-5 * (scale > 1.0 ? scale : 1.0);
}

/* One (p, c, ld, offset) case of every function of k. */
static int check_case(const mbi_f32_chanwise_kernel *k, size_t p, size_t c, size_t ld, size_t off)
{
    int ok = 1;
    size_t xn = p ? (p - 1) * ld + c : 0;
    float *xbuf = malloc((xn + off + 1) * sizeof(float));
    float *x = xbuf + off;
    float *a = malloc((p + 1) * sizeof(float));
    float *s = malloc((c + 1) * sizeof(float));
    float *sp = malloc((p + 1) * sizeof(float));
    float *acc = malloc((c + 2) * sizeof(float)); /* canary on each side */
    float *ybuf = malloc((xn + 2 + off) * sizeof(float));
    float *y = ybuf + off + 1;
    for (size_t i = 0; i < xn; i++)
        x[i] = frand();
    for (size_t i = 0; i < p; i++) {
        a[i] = frand();
        sp[i] = frand();
    }
    for (size_t j = 0; j < c; j++)
        s[j] = frand();
    float *init = malloc((c + 1) * sizeof(float));
    for (size_t j = 0; j < c; j++)
        init[j] = frand();

    for (int weighted = 0; weighted < 2; weighted++) {
        acc[0] = acc[c + 1] = CANARY;
        memcpy(acc + 1, init, c * sizeof(float));
        if (weighted)
            k->axpy(p, c, a, x, ld, acc + 1);
        else
            k->sum(p, c, x, ld, acc + 1);
        ok &= acc[0] == CANARY && acc[c + 1] == CANARY;
        for (size_t j = 0; j < c; j++) {
            double want = init[j], mag = fabs(init[j]);
            for (size_t i = 0; i < p; i++) {
                double t = (weighted ? a[i] : 1.0) * x[i * ld + j];
                want += t;
                mag += fabs(t);
            }
            ok &= close_to(acc[1 + j], want, mag);
        }
    }
    for (int rows = 0; rows < 2; rows++) {
        for (size_t i = 0; i < xn + 2; i++)
            ybuf[off + i] = CANARY;
        if (rows)
            k->scale_rows(p, c, x, ld, sp, y, ld);
        else
            k->scale(p, c, x, ld, s, y, ld);
        ok &= y[-1] == CANARY && y[xn] == CANARY;
        for (size_t i = 0; i < p; i++) {
            for (size_t j = 0; j < c; j++)
                ok &= y[i * ld + j] == x[i * ld + j] * (rows ? sp[i] : s[j]);
            for (size_t j = c; j < ld && i + 1 < p; j++)
                ok &= y[i * ld + j] == CANARY; /* the gap between rows */
        }
    }
    /* In place: y == x. */
    float *io = malloc((xn + 1) * sizeof(float));
    memcpy(io, x, xn * sizeof(float));
    k->scale(p, c, io, ld, s, io, ld);
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < c; j++)
            ok &= io[i * ld + j] == x[i * ld + j] * s[j];
    free(io);
    free(init);
    free(xbuf);
    free(a);
    free(s);
    free(sp);
    free(acc);
    free(ybuf);
    return ok;
}

int main(void)
{
    mbi_cpu cpu;
    mbi_cpu_detect(&cpu);
    size_t count;
    const mbi_f32_chanwise_kernel *const *vars = mbi_f32_chanwise_variants(&count);
    for (size_t v = 0; v < count; v++) {
        const mbi_f32_chanwise_kernel *k = vars[v];
        if (!k->supported(&cpu)) {
            printf("skipped %s: not supported by this CPU\n", k->name);
            continue;
        }
        int bad = 0;
        for (size_t c = 1; c <= 70; c++)
            for (size_t p = 1; p <= 50; p += (c % 3 == 0 ? 1 : 7)) {
                size_t ld = c + (p % 3 == 2 ? 5 : 0), off = (c + p) % 3;
                if (!check_case(k, p, c, ld, off)) {
                    if (bad++ < 5)
                        fprintf(stderr, "%s: p=%zu c=%zu ld=%zu off=%zu\n", k->name, p, c, ld, off);
                }
            }
        /* p = 0 touches nothing. */
        float acc = 1.0f;
        k->sum(0, 1, NULL, 1, &acc);
        k->axpy(0, 1, NULL, NULL, 1, &acc);
        CHECK(bad == 0 && acc == 1.0f, "%s: %d failing cases", k->name, bad);
        /* A tall block (many rows of few channels, the 112x112x32 case). */
        CHECK(check_case(k, 3001, 32, 32, 1) && check_case(k, 777, 17, 17, 0),
              "%s: tall blocks", k->name);
    }
    return check_summary();
}
