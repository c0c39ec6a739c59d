/* Prefetch planning, the last step of session creation: a node that is
 * bound by reading constant bytes from memory (ctx->reads: the SE gate's
 * FCs, Dense at M = 1) gets the first part of those bytes brought into L2
 * by a compute-bound node shortly before it (ctx->can_prefetch: pointwise
 * ConvNhwc, whose GEMM has idle prefetch slots), so they stream in while
 * that node computes instead of while the reader waits.
 *
 * Why: a core reads from L3 or memory at about 30 GB/s whatever the access
 * pattern, against ~190 GB/s from L2, and a session's weights do not stay
 * in L2 from one run to the next; a 7x7 GEMM before an SE block uses a
 * fraction of that bandwidth for its own weights.
 *
 * How much: what the producer, the nodes between it and the reader, and the
 * prefetched bytes touch must fit in one core's L2 with a margin, or the
 * prefetched lines are evicted before they are read (they go back to L3,
 * no loss but no gain). The reads are per thread (reads[t] is what thread t
 * reads when on time) and each thread's L2 holds its own part. */
#include "runtime/session.h"

/* Part of one core's L2 that the planned nodes and the prefetched bytes
 * may fill together (the rest: the margin for the set-associative
 * placement and for what else runs). Measured on MobileNetV3-Large and
 * EfficientNet-B0 at one thread (2 MiB L2): 60% left 10 us per 7x7 SE
 * block unwon, 95% gained no more than 85%, and 130% made the 7x7
 * 320->1280 GEMM before EfficientNet's classifier 24 us slower for 5 us
 * won on the classifier. */
#define L2_USE_PERCENT 85
/* L2 assumed when cpuid does not tell (e.g. builds forced to scalar). */
#define L2_DEFAULT_BYTES ((size_t)1 << 20)
/* Less than this is not worth planning. */
#define MIN_PREFETCH_BYTES ((size_t)16 << 10)
/* Steps a reader looks back for its producer (an expand GEMM is two steps
 * before the SE block: the depthwise convolution lies between). */
#define MAX_LOOKBACK 4
#define MAX_TENSORS 64

typedef struct tensor_set {
    const mbi_tensor *t[MAX_TENSORS];
    int n;
    size_t bytes;
} tensor_set;

static void add_tensor(tensor_set *set, const mbi_tensor *t)
{
    if (!t)
        return;
    for (int i = 0; i < set->n; i++)
        if (set->t[i] == t)
            return;
    if (set->n < MAX_TENSORS)
        set->t[set->n++] = t;
    set->bytes += mbi_tensor_bytes(t);
}

static void add_step(tensor_set *set, const mbi_step *st)
{
    for (int k = 0; k < st->ctx.n_in; k++)
        add_tensor(set, st->ctx.in[k]);
    for (int k = 0; k < st->ctx.n_out; k++)
        add_tensor(set, st->ctx.out[k]);
}

static size_t l2_budget(const mobinfer_session *s)
{
    size_t l2 = s->kernels.cpu.l2_bytes ? s->kernels.cpu.l2_bytes : L2_DEFAULT_BYTES;
    return l2 / 100 * L2_USE_PERCENT;
}

/* Plans the prefetch of step r's reads; false when out of memory. */
static bool plan_reader(mobinfer_session *s, int r)
{
    const mbi_op_ctx *reader = &s->steps[r].ctx;
    tensor_set set = {{0}, 0, 0};
    int producer = -1;
    for (int p = r - 1; p >= 0 && p >= r - MAX_LOOKBACK; p--) {
        const mbi_op_ctx *c = &s->steps[p].ctx;
        if (c->n_reads || c->n_prefetch)
            break; /* bound by memory itself, or already busy */
        add_step(&set, &s->steps[p]);
        if (c->can_prefetch) {
            producer = p;
            break;
        }
    }
    size_t total = 0;
    for (int t = 0; t < reader->n_reads; t++)
        total += reader->reads[t].bytes;
    if (producer < 0 || total < MIN_PREFETCH_BYTES)
        return true;
    /* With the reads split over threads, so is most of the work before. */
    size_t per_thread = set.bytes / (size_t)reader->n_reads, budget = l2_budget(s);
    if (per_thread + MIN_PREFETCH_BYTES > budget)
        return true;
    budget -= per_thread;
    mbi_byte_span *spans =
        mbi_pool_alloc_array(&s->pool, (size_t)reader->n_reads, sizeof(mbi_byte_span));
    if (!spans)
        return false;
    for (int t = 0; t < reader->n_reads; t++) {
        spans[t] = reader->reads[t];
        if (spans[t].bytes > budget)
            spans[t].bytes = budget;
    }
    s->steps[producer].ctx.prefetch = spans;
    s->steps[producer].ctx.n_prefetch = reader->n_reads;
    return true;
}

mobinfer_status mbi_session_plan_prefetch(mobinfer_session *s)
{
    for (int r = 0; r < s->n_steps; r++)
        if (s->steps[r].ctx.n_reads > 0 && !plan_reader(s, r))
            return mbi_fail(&s->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    return MOBINFER_OK;
}
