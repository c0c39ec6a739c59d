/* A run flushes denormals to zero on its own threads (dispatch/denormals.h)
 * but must hand the caller's floating-point mode back unchanged, whether the
 * caller had flush-to-zero off (the C default) or on. */
#include <stdlib.h>

#include "check.h"
#include "dispatch/denormals.h"
#include "mobinfer.h"
#include "model_builder.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
/* The control bits of MXCSR, without the sticky exception flags (bits 0-5),
 * which the caller's own arithmetic sets. */
static unsigned fp_mode(void)
{
    return _mm_getcsr() & ~0x3fu;
}
#else
static unsigned fp_mode(void)
{
    return 0;
}
#endif

static void run_once(mobinfer_session *s)
{
    mobinfer_value_info in;
    mobinfer_session_input(s, 0, &in);
    size_t n = 1;
    for (size_t k = 0; k < in.rank; k++)
        n *= (size_t)in.dims[k];
    float *x = calloc(n, sizeof *x);
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(i % 7) * 1e-39f; /* denormal inputs */
    CHECK(mobinfer_session_set_input(s, in.name, in.dtype, in.dims, in.rank, x, n * 4) ==
              MOBINFER_OK,
          "set input");
    CHECK(mobinfer_session_run(s) == MOBINFER_OK, "run: %s", mobinfer_session_last_error(s));
    free(x);
}

int main(void)
{
    tb_buf bytes = {0};
    tb_small_cnn(&bytes);
    mobinfer_model *m = NULL;
    CHECK(mobinfer_model_load_memory(bytes.data, bytes.len, NULL, &m) == MOBINFER_OK, "load");
    for (int threads = 1; threads <= 2 && m; threads++) {
        mobinfer_session_options o;
        mobinfer_session_options_init(&o);
        o.num_threads = threads;
        mobinfer_session *s = NULL;
        CHECK(mobinfer_session_create(m, &o, &s) == MOBINFER_OK, "session");
        if (!s)
            continue;
        unsigned before = fp_mode();
        run_once(s);
        CHECK(fp_mode() == before, "run changed the caller's floating-point mode (%x -> %x)",
              before, fp_mode());
        /* A caller that flushes already keeps flushing. */
        mbi_fp_mode saved;
        mbi_denormals_off(&saved);
        unsigned flushing = fp_mode();
        run_once(s);
        CHECK(fp_mode() == flushing, "run changed a flushing caller's mode");
        mbi_denormals_restore(&saved);
        CHECK(fp_mode() == before, "restore");
        mobinfer_session_free(s);
    }
    mobinfer_model_free(m);
    tb_free(&bytes);
    return check_summary();
}
