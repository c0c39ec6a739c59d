/* ConvNhwc (com.mobinfer): a float32 2-D convolution on channels-last
 * tensors, made by the layout pass (src/opt/layout_nhwc.c) from ONNX Conv.
 *   X [N, H, W, C], W [M, C/group, kh, kw] (ONNX order), B [M] optional,
 *   R [N, OH, OW, M] when attribute residual = 1  ->  Y [N, OH, OW, M]
 * Attributes: Conv's (kernel_shape, strides, dilations, pads, auto_pad,
 * group) and a fused epilogue (ops/epilogue_attrs.h).
 *
 * A channel slice of a wider output, so that the convolutions feeding a
 * channel Concat write straight into its output (src/opt/concat_in_place.c):
 *   channels_total = T, channel_offset = o: Y is [N, OH, OW, T] and the node
 *   writes only channels [o, o + M) (rows of stride T); the others are left
 *   as they were, which is undefined unless
 *   inplace_input = i: input i is Into [N, OH, OW, T], whose other channels Y
 *   keeps. The planner gives Y Into's storage when Into dies here
 *   (MBI_OP_INPLACE_NAMED); otherwise run copies Into to Y first.
 * Dense (not depthwise) convolutions without a residual only.
 *
 * Four kernels, chosen in prepare:
 *   - depthwise (group == C == M): the dwconv family, rows split over threads;
 *     also with a channel multiplier (group == C, M = r * C, output channel
 *     o reading input channel o / r: FastViT's downsampling convolutions),
 *     X's channels repeated r times into the scratch first (one pass over
 *     X), then the same kernel on M channels;
 *   - pointwise (1x1, stride 1, no padding): GEMM straight on X, since NHWC
 *     rows of X are the GEMM's A rows;
 *   - anything else with group 1: indirect GEMM, reading each tap's C input
 *     floats where they lie through an indirection buffer of pointers (no
 *     copy). A network's first convolution too: transposing its 3-channel
 *     input to NHWC and running this costs a quarter of gathering im2col
 *     rows from NCHW (measured on MnasNet's stem: 0.20 against 0.69 ms),
 *     unless ConvStemNhwc reads the image itself (src/opt/stem_nchw_input.c);
 *   - 3x3, stride 1, dilation 1, group 1, where it measured faster
 *     (winograd_tile): Winograd F(4,3) or F(2,3), in blocks of tiles whose
 *     transformed input and GEMM results stay in the thread's scratch. */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/f32-dwconv/f32_dwconv.h"
#include "kernels/f32-gemm/f32_gemm.h"
#include "kernels/f32-igemm/f32_igemm.h"
#include "kernels/f32-vact/f32_epilogue.h"
#include "kernels/f32-winograd/f32_winograd.h"
#include "ops/epilogue_attrs.h"
#include "ops/nn_ops.h"
#include "ops/nn_spatial.h"
#include "ops/op.h"
#include "runtime/thread_pool.h"

typedef enum conv_kind { CONV_DEPTHWISE, CONV_POINTWISE, CONV_IGEMM, CONV_WINOGRAD } conv_kind;

/* Output pixels per GEMM task (a multiple of every kernel's mr that
 * matters: 1..8, 12, 14 divide 168; the igemm path rounds it down to its mr
 * so tasks start on indirection tiles). */
#define PIXELS_PER_TASK 168

/* Output bytes of depthwise rows per kernel call when an epilogue pass
 * follows (a part of L1d's 48 KB). */
#define DW_EPILOGUE_CHUNK_BYTES ((size_t)24 << 10)

/* The igemm keeps its whole indirection buffer (built once per session)
 * when it is small, or when rebuilding each task's share on every run
 * would cost more than ~5% of the arithmetic (about 1 ns per pointer
 * against C*M/100 ns of FMAs per tap and pixel: C*M < 2304) and it is not
 * huge; otherwise (large images with wide layers) tasks build their share
 * in the thread's scratch, so memory does not grow with the image. */
#define IGEMM_KEEP_BYTES ((size_t)4 << 20)
#define IGEMM_KEEP_CHEAP_BYTES ((size_t)64 << 20)
#define IGEMM_CHEAP_CM 2304

/* Work units per thread when a node is split: enough that a thread that
 * starts late still finds a share of the node to take (see steal_task). */
#define UNITS_PER_THREAD 2
#define UNIT_MIN_MACS 2000000u

/* Units are claimed through one 32-bit word per share, 16 bits for each
 * end; nodes with more units fall back to claiming them one by one. */
#define STEAL_MAX_UNITS 0xffffu

typedef struct conv_nhwc_params {
    conv_kind kind;
    mbi_window3d g; /* axes 1, 2 = H, W */
    int64_t batch, c, m;
    int64_t ctot, coff; /* Y's channels, and the first one this node writes */
    int into;           /* input index of Into, or -1 */
    size_t k;       /* GEMM depth: kh*kw*C */
    const float *packed;
    mbi_epilogue ep;
    mbi_f32_minmax mm;
    bool tile_pass; /* epilogue work left after the microkernel */
    /* GEMM units: m_tasks ranges of the mr-pixel tiles x n_tasks ranges of
     * the nr-channel blocks, each spread evenly; depthwise: m_tasks row
     * ranges. */
    size_t m_tasks, n_tasks;
    size_t mr, tiles, n_blocks;
    size_t task_pixels; /* the most pixels of one unit */
    size_t repeat;      /* depthwise channel multiplier: X repeated into the scratch at repeat_at */
    size_t repeat_at;
    size_t shares;             /* > 1: units in contiguous shares, stolen (steal_task) */
    size_t share_bytes;        /* the shares' part of the scratch, before the pointers */
    size_t scratch_per_thread; /* indirection pointers built per task */
    /* CONV_IGEMM: the pointers depend on X's address, which is fixed for a
     * session (the arena) but unknown in prepare, so run (re)builds them
     * when X is not where they point (ind_x), before its parallel region;
     * a session runs on one thread at a time. NULL: too large to keep, each
     * task builds its share in the thread's scratch. */
    mbi_igemm_conv2d ig;
    const float **indirection;
    const float *ind_x;
    const float *zero; /* C zeros: the taps in the padding */
    /* CONV_WINOGRAD: tiles instead of pixels (m_tasks ranges of them, run
     * in blocks of at most wg_block), a scratch of wg_scratch floats per
     * thread, and the bias apart (the packed weights have none). */
    mbi_winograd_conv wg;
    size_t wg_tiles, wg_block, wg_scratch;
    const float *bias;
} conv_nhwc_params;

/* How many tasks a node of `macs` multiply-adds is worth: one per thread,
 * none below ~100k MACs (a few microseconds, which a fork-join would eat).
 * One contiguous share per thread rather than many small tasks: the caller
 * then takes the first share and the worker the second in every node, so a
 * thread reads the rows it wrote in the node before, from its own cache
 * (MobileNetV2 at 2 threads: 3.49 ms with four tasks per thread, 3.10 ms
 * with one). */
static size_t task_count(uint64_t macs, size_t threads)
{
    uint64_t by_work = macs / 100000;
    size_t want = threads;
    if (threads < 2 || by_work < 2)
        return 1;
    return by_work < want ? (size_t)by_work : want;
}

/* One share of the work units of a run: [next, end) packed as
 * next | end << 16; its owner takes units from the front, other threads
 * from the back. A cache line each: both ends are hammered by claims. */
typedef struct steal_share {
    alignas(64) atomic_uint range;
} steal_share;

typedef struct conv_job {
    const conv_nhwc_params *p;
    const mbi_kernels *kern;
    const float *x;
    const float *residual;
    float *y; /* channel coff of Y's first pixel */
    const float **ind_scratch;
    steal_share *shares;
    mbi_task_fn unit; /* runs one work unit */
    float *wg_scratch; /* CONV_WINOGRAD: thread t's is wg_scratch + t * p->wg_scratch */
    const mbi_byte_span *prefetch; /* ctx->prefetch: for the nodes after this one */
    int n_prefetch, threads;
} conv_job;

/* Takes the first (front) or last unit of a share; false when it is empty.
 * Relaxed: the counter only hands out indices, the thread pool's join
 * publishes what the units wrote. */
static bool claim_unit(steal_share *s, bool front, size_t *unit)
{
    unsigned v = atomic_load_explicit(&s->range, memory_order_relaxed);
    for (;;) {
        unsigned next = v & 0xffffu, end = v >> 16;
        if (next >= end)
            return false;
        unsigned after = front ? v + 1 : ((end - 1) << 16) | next;
        if (atomic_compare_exchange_weak_explicit(&s->range, &v, after, memory_order_relaxed,
                                                  memory_order_relaxed)) {
            *unit = front ? next : end - 1;
            return true;
        }
    }
}

/* Task t works through share t from its front, then through the others
 * from their backs. On time, every thread does its own contiguous share
 * (the split task_count explains); a thread that starts late finds that
 * the others have been eating its share from the far end, instead of a
 * whole share still waiting for it. Before (one task per thread, claimed
 * whole), MnasNet at 2 threads on the loaded test machine: the worker ran
 * fewer than 1 in 10 tasks, arriving 20-100 us late when woken from sleep
 * (the stem, after the one-thread input Transpose) or preempted, and the
 * caller ran both halves. With this and the parallel input Transpose, on
 * a quiet machine: stem 0.112 -> 0.082 ms, 14x14 layers 6-9% faster. */
static void steal_task(void *arg, size_t task, int thread)
{
    const conv_job *j = arg;
    const size_t n = j->p->shares;
    size_t unit;
    while (claim_unit(&j->shares[task], true, &unit))
        j->unit(arg, unit, thread);
    for (size_t k = 1; k < n; k++) {
        steal_share *victim = &j->shares[(task + k) % n];
        while (claim_unit(victim, false, &unit))
            j->unit(arg, unit, thread);
    }
}

/* Sets shares and the scratch they need for `units` work units. */
static void plan_shares(mbi_op_ctx *ctx, conv_nhwc_params *p, size_t units)
{
    size_t threads = (size_t)ctx->num_threads;
    p->shares = threads < units ? threads : units;
    if (p->shares < 2 || units > STEAL_MAX_UNITS)
        p->shares = 1;
    p->share_bytes = p->shares > 1 ? p->shares * sizeof(steal_share) : 0;
    ctx->scratch_bytes += p->share_bytes;
}

/* How to cut a dense convolution of `tiles` pixel tiles and `n_blocks`
 * channel blocks into about `target` units (mt tile ranges x nt block
 * ranges), a multiple of `threads` so that the shares are even. Every tile
 * range reads all the weights and every block range all of A, so the
 * split keeps mt * weights + nt * A small; splitting the channels also
 * costs the next node a read of the other thread's part of every pixel,
 * counted as the output's size. No such split: one unit per thread over
 * the tiles, as far as they go. */
static void split_units(size_t threads, size_t target, size_t tiles, size_t n_blocks,
                        uint64_t weight_bytes, uint64_t a_bytes, uint64_t out_bytes, size_t *mt,
                        size_t *nt)
{
    uint64_t best = UINT64_MAX;
    *mt = tiles < threads ? tiles : threads;
    *nt = 1;
    for (size_t n = 1; n <= n_blocks && n <= target; n++) {
        size_t m = target / n;
        if (m > tiles)
            m = tiles;
        if (m == 0 || (m * n) % threads != 0)
            continue;
        uint64_t cost = m * weight_bytes + n * a_bytes + (n > 1 ? out_bytes : 0);
        if (cost < best) {
            best = cost;
            *mt = m;
            *nt = n;
        }
    }
}

/* The slice attributes; dims is Y's shape when it is not a slice. */
static mobinfer_status parse_slice(mbi_op_ctx *ctx, conv_nhwc_params *p, bool depthwise,
                                   const int64_t dims[4])
{
    mobinfer_status st;
    int64_t into;
    if ((st = mbi_attr_int(ctx->node, "channels_total", p->m, &p->ctot, ctx->err)) ||
        (st = mbi_attr_int(ctx->node, "channel_offset", 0, &p->coff, ctx->err)) ||
        (st = mbi_attr_int(ctx->node, MBI_ATTR_INPLACE_INPUT, -1, &into, ctx->err)))
        return st;
    p->into = -1;
    if (p->ctot == p->m && p->coff == 0 && into < 0)
        return MOBINFER_OK;
    if (depthwise || p->ep.residual)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                        "ConvNhwc writes a channel slice only without a residual and when not "
                        "depthwise");
    if (p->coff < 0 || p->ctot < p->m || p->coff > p->ctot - p->m)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "channels [%lld, %lld) are not a slice of %lld channels",
                        (long long)p->coff, (long long)(p->coff + p->m), (long long)p->ctot);
    if (into < 0)
        return MOBINFER_OK;
    const mbi_tensor *t = into < 3 || into != ctx->n_in - 1 ? NULL : ctx->in[into];
    if (!t || t->dtype != MOBINFER_DTYPE_FLOAT32 || t->rank != 4 || t->dims[0] != dims[0] ||
        t->dims[1] != dims[1] || t->dims[2] != dims[2] || t->dims[3] != p->ctot)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "the input named by '%s' must be the last one (after B), float32, of "
                        "shape [%lld, %lld, %lld, %lld]",
                        MBI_ATTR_INPLACE_INPUT, (long long)dims[0], (long long)dims[1],
                        (long long)dims[2], (long long)p->ctot);
    p->into = (int)into;
    return MOBINFER_OK;
}

/* Whether Winograd F(m,3) beats the igemm on a layer of `tiles` tiles
 * with weights of wbytes once transformed: at least WINOGRAD_MIN_TILES
 * tiles (the per-position GEMMs have that many rows), and at most
 * max_wbytes_per_tile of weights per tile, because the transformed weights
 * (16/9 or 4 times the igemm's) are read once per run from L3 or memory
 * and a layer with few tiles waits on them. Measured on one AVX-512 core
 * against the igemm (the kernels alone in a timing loop, min of 20 runs):
 *   F(4,3): 56x56 64->64 2.5x, 28x28 128->128 2.6x, 14x14 256->256 2.1x
 *   (16 tiles, 0.6 MB a tile), 10x10 96->24 1.8x (9 tiles), but
 *   10x10 384->384 1.3x (9 tiles, 2.4 MB a tile: F(2,3) 1.8x), 7x7 and 8x8
 *   maps (4 tiles) 0.75-1.0x;
 *   F(2,3) there: 7x7 512->512 1.46x (16 tiles, 1 MB a tile), 5x5 256->256
 *   1.04x (9 tiles), 4x4 512->512 0.72x (4 tiles, 4 MB a tile). */
/* In a whole model the limits are tighter than in that loop: the weights
 * of the deep layers come from L3 or memory on every run, and transformed
 * ones are 16/9 (F(2,3)) or 4 (F(4,3)) times larger. ResNet-18 at one
 * thread: 14x14 256->256 took 1.00 ms with F(4,3) (0.6 MB a tile) and 0.81
 * with F(2,3) (0.09 MB a tile); 7x7 512->512 1.73 ms with F(2,3) (1 MB a
 * tile) and the same with the igemm, whose weights are 1.8x smaller. */
#define WINOGRAD_MIN_TILES 9
#define WINOGRAD_F4_MAX_WBYTES_PER_TILE ((uint64_t)1 << 18)
#define WINOGRAD_F2_MAX_WBYTES_PER_TILE ((uint64_t)1 << 19)

static bool winograd_fits(const conv_nhwc_params *p, size_t m, uint64_t max_wbytes_per_tile)
{
    const int64_t side = (int64_t)m;
    const uint64_t tiles = (uint64_t)p->batch * (uint64_t)((p->g.out[1] + side - 1) / side) *
                           (uint64_t)((p->g.out[2] + side - 1) / side);
    const uint64_t wbytes = (uint64_t)((m + 2) * (m + 2)) * (uint64_t)p->c * (uint64_t)p->m * 4;
    return tiles >= WINOGRAD_MIN_TILES && wbytes <= tiles * max_wbytes_per_tile;
}

/* The Winograd output tile (2 or 4) for a dense convolution, or 0 to
 * leave it to the igemm. Few channels gain little, the transforms' cost
 * being per channel and the GEMMs' per channel pair: F(4,3) 112x112 8->8
 * 0.98x, 80x80 8->96 1.2x, 56x56 16->16 1.5x; F(2,3) 56x56 16->16 0.97x,
 * 55x55 16->64 1.15x, 27x27 32->128 1.5x. F(4,3)'s error on whole
 * models stays within 3e-6 of the output's magnitude (docs/OPERATORS.md). */
static size_t winograd_tile(const conv_nhwc_params *p)
{
    const mbi_window3d *g = &p->g;
    if (g->kernel[1] != 3 || g->kernel[2] != 3 || g->stride[1] != 1 || g->stride[2] != 1 ||
        g->dilation[1] != 1 || g->dilation[2] != 1)
        return 0;
    if (p->c >= 8 && p->m >= 8 && p->c * p->m >= 256 &&
        winograd_fits(p, 4, WINOGRAD_F4_MAX_WBYTES_PER_TILE))
        return 4;
    if (p->c >= 16 && p->m >= 16 && p->c * p->m >= 1024 &&
        winograd_fits(p, 2, WINOGRAD_F2_MAX_WBYTES_PER_TILE))
        return 2;
    return 0;
}

/* The V and M of one block of tiles (alpha^2 * (C + M) floats a tile) stay
 * within this, so that they and a share of the weights stay in L2 (2 MB
 * here; 0.5, 1, 2 and 4 MB measured: 1 MB was best or within 5%)... */
#define WINOGRAD_BLOCK_BYTES ((size_t)1 << 20)
/* The scratch of a block never exceeds this, whatever the weights. */
#define WINOGRAD_BLOCK_MAX_BYTES ((size_t)4 << 20)

static mobinfer_status winograd_prepare(mbi_op_ctx *ctx, conv_nhwc_params *p, size_t tile,
                                        const float *w, const float *bias,
                                        const int64_t in_hw[2])
{
    const mbi_f32_gemm_kernel *gk = ctx->kernels->gemm;
    const size_t c = (size_t)p->c, n = (size_t)p->m, pos = (tile + 2) * (tile + 2);
    const mbi_window3d *g = &p->g;
    p->kind = CONV_WINOGRAD;
    p->wg = (mbi_winograd_conv){.m = tile, .batch = (size_t)p->batch, .in_h = (size_t)in_hw[0],
                                .in_w = (size_t)in_hw[1], .c = c, .n = n,
                                .pad_top = (size_t)g->pad_begin[1],
                                .pad_left = (size_t)g->pad_begin[2], .out_h = (size_t)g->out[1],
                                .out_w = (size_t)g->out[2]};
    float *packed = mbi_op_alloc_floats(ctx, mbi_f32_winograd_packed_floats(gk, tile, n, c));
    if (!packed)
        return ctx->err->status;
    mbi_f32_winograd_pack(gk, tile, n, c, w, packed);
    p->packed = packed;
    float *b = mbi_op_alloc(ctx, n * sizeof(float));
    p->zero = mbi_op_alloc(ctx, c * sizeof(float));
    if (!b || !p->zero)
        return ctx->err->status;
    if (bias)
        memcpy(b, bias, n * sizeof(float));
    p->bias = b;

    const size_t pixels = (size_t)(p->batch * g->out[1] * g->out[2]);
    const uint64_t macs = (uint64_t)pixels * n * c * 9;
    const size_t tiles = mbi_winograd_tiles(&p->wg);
    const size_t n_blocks = (n + gk->nr - 1) / gk->nr;
    p->wg_tiles = tiles;
    p->n_blocks = n_blocks;
    p->m_tasks = 1;
    p->n_tasks = 1;
    size_t want = task_count(macs, (size_t)ctx->num_threads);
    if (want > 1) {
        /* As the GEMM path (conv_nhwc_prepare), counting the work as the
         * direct convolution's. */
        size_t target = want * UNITS_PER_THREAD;
        if (macs / UNIT_MIN_MACS < target)
            target = macs / UNIT_MIN_MACS > want ? (size_t)(macs / UNIT_MIN_MACS) / want * want
                                                 : want;
        split_units(want, target, tiles, n_blocks,
                    (uint64_t)pos * n_blocks * gk->nr * (c + 1) * sizeof(float),
                    (uint64_t)(p->batch * in_hw[0] * in_hw[1]) * c * sizeof(float),
                    (uint64_t)pixels * n * sizeof(float), &p->m_tasks, &p->n_tasks);
    }
    /* ...unless the weights are the larger stream: every block reads all
     * of them, so a block has at least C*M/(C+M) tiles, which keeps the
     * weights' bytes per tile below the transforms' (14x14 256->256: 1.37x
     * faster in one block of 49 tiles than in blocks of 24). */
    const size_t n_unit = (n_blocks + p->n_tasks - 1) / p->n_tasks * gk->nr;
    const size_t nu = n_unit < n ? n_unit : n;
    const size_t tile_bytes = pos * (c + nu) * sizeof(float);
    size_t block = WINOGRAD_BLOCK_BYTES / tile_bytes;
    if (block < c * nu / (c + nu))
        block = c * nu / (c + nu);
    if (block > WINOGRAD_BLOCK_MAX_BYTES / tile_bytes)
        block = WINOGRAD_BLOCK_MAX_BYTES / tile_bytes;
    block = block / gk->mr * gk->mr;
    if (block < gk->mr)
        block = gk->mr;
    size_t per_task = (tiles + p->m_tasks - 1) / p->m_tasks;
    p->wg_block = per_task < block ? per_task : block;
    p->wg_scratch = mbi_f32_winograd_scratch_floats(&p->wg, p->wg_block);
    ctx->scratch_bytes = p->wg_scratch * sizeof(float) * (size_t)ctx->num_threads;
    plan_shares(ctx, p, p->m_tasks * p->n_tasks);
    ctx->macs = macs;
    ctx->params = p;
    return MOBINFER_OK;
}

static mobinfer_status conv_nhwc_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st;
    if ((st = mbi_op_require_kernels(ctx)) ||
        (st = mbi_op_require_dtype(ctx, 0, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_dtype(ctx, 1, MOBINFER_DTYPE_FLOAT32)) ||
        (st = mbi_op_require_constant(ctx, 1, "W")))
        return st;
    const mbi_tensor *x = ctx->in[0], *w = ctx->in[1];
    const mbi_tensor *b = mbi_op_input(ctx, 2);
    if (x->rank != 4 || w->rank != 4)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "ConvNhwc needs 4-D X and W");
    conv_nhwc_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    if ((st = mbi_epilogue_from_attrs(ctx->node, &p->ep, ctx->err)))
        return st;
    int64_t group;
    if ((st = mbi_attr_int(ctx->node, "group", 1, &group, ctx->err)))
        return st;
    int64_t in_hw[2] = {x->dims[1], x->dims[2]};
    p->batch = x->dims[0];
    p->c = x->dims[3];
    p->m = w->dims[0];
    const bool multiplier =
        group > 1 && group == p->c && p->m > p->c && p->m % p->c == 0 && w->dims[1] == 1;
    bool depthwise = (group == p->c && p->m == p->c && w->dims[1] == 1) || multiplier;
    if (!depthwise && (group != 1 || w->dims[1] != p->c))
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                        "ConvNhwc supports dense and depthwise convolutions only (group %lld, "
                        "%lld input channels, W %lldx%lld)",
                        (long long)group, (long long)p->c, (long long)w->dims[0],
                        (long long)w->dims[1]);
    if ((st = mbi_op_require_bias(ctx, 2, p->m)))
        return st;
    mbi_spatial_attrs a;
    if ((st = mbi_spatial_parse(ctx, 2, w->dims + 2, true, &a)) ||
        (st = mbi_spatial_forward(ctx, &a, in_hw, false, &p->g)))
        return st;
    const int64_t oh = p->g.out[1], ow = p->g.out[2];
    int64_t dims[4] = {p->batch, oh, ow, p->m};
    if ((st = parse_slice(ctx, p, depthwise, dims)))
        return st;
    dims[3] = p->ctot;
    mbi_op_set_output(ctx, 0, MOBINFER_DTYPE_FLOAT32, dims, 4);
    int r = p->ep.residual ? ctx->n_in - 1 : -1;
    if (p->ep.residual) {
        const mbi_tensor *res = mbi_op_input(ctx, r);
        if (r < 3 || !res || res->dtype != MOBINFER_DTYPE_FLOAT32 || res->rank != 4 ||
            memcmp(res->dims, dims, sizeof dims) != 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                            "the residual input must be float32 of the output's shape");
    }
    p->tile_pass = mbi_epilogue_split(&p->ep, &p->mm);

    const int64_t kh = p->g.kernel[1], kw = p->g.kernel[2];
    const float *bias = b ? b->data : NULL;
    const size_t pixels = (size_t)(p->batch * oh * ow);
    if (depthwise) {
        p->kind = CONV_DEPTHWISE;
        const mbi_f32_dwconv_kernel *dk = ctx->kernels->dwconv;
        float *packed = mbi_op_alloc_floats(
            ctx, mbi_f32_dwconv_packed_floats(dk, (size_t)p->m, (size_t)kh, (size_t)kw));
        if (!packed)
            return ctx->err->status;
        mbi_f32_dwconv_pack(dk, (size_t)p->m, (size_t)kh, (size_t)kw, w->data, bias, packed);
        p->packed = packed;
        /* Row ranges: a few per thread, whole images at a time, none
         * smaller than a fork-join is worth. */
        ctx->macs = (uint64_t)pixels * (uint64_t)(p->m * kh * kw);
        size_t chunks = task_count(ctx->macs, (size_t)ctx->num_threads);
        if (chunks > 1)
            chunks *= UNITS_PER_THREAD;
        p->m_tasks = (size_t)oh < chunks ? (size_t)oh : chunks;
        p->n_tasks = 1;
        plan_shares(ctx, p, p->m_tasks);
        p->repeat = (size_t)(p->m / p->c);
        if (p->repeat > 1) {
            p->repeat_at = (ctx->scratch_bytes + 63) / 64 * 64;
            ctx->scratch_bytes = p->repeat_at + sizeof(float) * (size_t)(p->batch * in_hw[0] *
                                                                         in_hw[1] * p->m);
        }
        ctx->params = p;
        return MOBINFER_OK;
    }

    size_t wg_tile = winograd_tile(p);
    if (wg_tile)
        return winograd_prepare(ctx, p, wg_tile, w->data, bias, in_hw);

    const mbi_f32_gemm_kernel *gk = ctx->kernels->gemm;
    bool pointwise = kh == 1 && kw == 1 && p->g.stride[1] == 1 && p->g.stride[2] == 1 &&
                     p->g.pad_begin[1] == 0 && p->g.pad_begin[2] == 0 && p->g.pad_end[1] == 0 &&
                     p->g.pad_end[2] == 0;
    const mbi_f32_igemm_kernel *ik = ctx->kernels->igemm;
    /* The igemm reads the weights packed for the GEMM, so both need one nr
     * (true of the variants selected for any one CPU). */
    if (ik->nr != gk->nr)
        return mbi_fail(ctx->err, MOBINFER_ERR_INTERNAL,
                        "the selected GEMM (%s) and indirect GEMM (%s) kernels pack weights "
                        "differently",
                        gk->name, ik->name);
    p->kind = pointwise ? CONV_POINTWISE : CONV_IGEMM;
    ctx->can_prefetch = pointwise; /* gemm_task: mbi_f32_gemm_compute_prefetch */
    p->k = (size_t)(kh * kw * p->c);
    /* The GEMM wants W as [M][kh][kw][C] (the order the taps are read in). The
     * reordered copy is needed only until packed, so it is not taken from
     * the session's pool (it would stay as large as the weights). */
    float *packed = mbi_op_alloc_floats(ctx, mbi_f32_gemm_packed_floats(gk, (size_t)p->m, p->k));
    if (!packed)
        return ctx->err->status;
    size_t wt_floats = mbi_mul_sat((uint64_t)p->m, p->k) < SIZE_MAX / sizeof(float)
                           ? (size_t)p->m * p->k
                           : SIZE_MAX;
    float *wt = wt_floats < SIZE_MAX ? malloc(sizeof(float) * (wt_floats ? wt_floats : 1)) : NULL;
    if (!wt)
        return mbi_fail(ctx->err, MOBINFER_ERR_OUT_OF_MEMORY, "out of memory");
    const float *wsrc = w->data;
    for (int64_t o = 0; o < p->m; o++)
        for (int64_t c = 0; c < p->c; c++)
            for (int64_t i = 0; i < kh * kw; i++)
                wt[(size_t)o * p->k + (size_t)(i * p->c + c)] = wsrc[(o * p->c + c) * kh * kw + i];
    mbi_f32_gemm_pack(gk, (size_t)p->m, p->k, wt, p->k, 1, bias, packed);
    free(wt);
    p->packed = packed;

    /* Units: ranges of output pixels, UNITS_PER_THREAD per thread; when
     * there are few pixels (late, small feature maps), ranges of output
     * channels (split_units). One thread: PIXELS_PER_TASK pixels each. */
    size_t mr = p->kind == CONV_IGEMM ? ik->mr : gk->mr;
    size_t max_tiles = PIXELS_PER_TASK > mr ? PIXELS_PER_TASK / mr : 1;
    size_t n_blocks = ((size_t)p->m + gk->nr - 1) / gk->nr;
    p->mr = mr;
    p->tiles = (pixels + mr - 1) / mr;
    p->n_blocks = n_blocks;
    /* An indirect GEMM that does not keep its indirection buffer builds a
     * task's share in per-thread scratch: tasks stay small. */
    bool igemm_kept = p->kind == CONV_IGEMM &&
                      (pixels + mr) * (size_t)(kh * kw) * sizeof(float *) <= IGEMM_KEEP_BYTES;
    size_t want = task_count((uint64_t)pixels * (uint64_t)p->m * (uint64_t)p->k,
                             (size_t)ctx->num_threads);
    p->m_tasks = (p->tiles + max_tiles - 1) / max_tiles;
    p->n_tasks = 1;
    if (want > 1) {
        uint64_t elem = sizeof(float);
        /* Units below ~2M MACs (10 us) gain less from balance than they
         * lose re-reading the weights or A (7x7 layers at 2 threads: 2-6%
         * slower with 4 units than with 2). */
        uint64_t macs = (uint64_t)pixels * (uint64_t)p->m * (uint64_t)p->k;
        size_t target = want * UNITS_PER_THREAD;
        if (macs / UNIT_MIN_MACS < target)
            target = macs / UNIT_MIN_MACS > want ? (size_t)(macs / UNIT_MIN_MACS) / want * want
                                                 : want;
        split_units(want, target, p->tiles, n_blocks,
                    (uint64_t)n_blocks * gk->nr * (p->k + 1) * elem,
                    (uint64_t)(p->batch * in_hw[0] * in_hw[1] * p->c) * elem,
                    (uint64_t)pixels * (uint64_t)p->m * elem, &p->m_tasks, &p->n_tasks);
        size_t least = (p->tiles + max_tiles - 1) / max_tiles;
        if (p->kind == CONV_IGEMM && !igemm_kept && p->m_tasks < least)
            p->m_tasks = least;
    }
    p->task_pixels = (p->tiles + p->m_tasks - 1) / p->m_tasks * mr;
    if (p->kind == CONV_IGEMM) {
        const mbi_window3d *g = &p->g;
        p->ig = (mbi_igemm_conv2d){
            .batch = (size_t)p->batch, .in_h = (size_t)g->in[1], .in_w = (size_t)g->in[2],
            .pixel_stride = (size_t)p->c, .kh = (size_t)kh, .kw = (size_t)kw,
            .stride_h = (size_t)g->stride[1], .stride_w = (size_t)g->stride[2],
            .dil_h = (size_t)g->dilation[1], .dil_w = (size_t)g->dilation[2],
            .pad_top = (size_t)g->pad_begin[1], .pad_left = (size_t)g->pad_begin[2],
            .out_h = (size_t)oh, .out_w = (size_t)ow};
        size_t entries = mbi_f32_igemm_indirection_size(&p->ig, ik->mr);
        size_t keep = (size_t)(p->c * p->m) < IGEMM_CHEAP_CM ? IGEMM_KEEP_CHEAP_BYTES
                                                              : IGEMM_KEEP_BYTES;
        if (entries <= keep / sizeof(float *)) {
            p->indirection = mbi_op_alloc(ctx, entries * sizeof(float *));
            if (!p->indirection)
                return ctx->err->status;
        } else {
            p->scratch_per_thread = p->task_pixels * (size_t)(kh * kw);
            ctx->scratch_bytes = sizeof(float *) * p->scratch_per_thread * (size_t)ctx->num_threads;
        }
        p->zero = mbi_op_alloc(ctx, (size_t)p->c * sizeof(float));
        if (!p->zero)
            return ctx->err->status;
    }
    plan_shares(ctx, p, p->m_tasks * p->n_tasks);
    ctx->macs = (uint64_t)pixels * (uint64_t)p->m * (uint64_t)p->k;
    ctx->params = p;
    return MOBINFER_OK;
}

/* The thread that runs task u of n_tasks of a pool run when every thread
 * is on time, and its share [*first, *first + *count). */
static int task_owner(size_t n_tasks, int threads, size_t u, size_t *first, size_t *count)
{
    for (int t = 0; t < threads; t++) {
        size_t b, e;
        mbi_threadpool_share(n_tasks, threads, t, &b, &e);
        if (u >= b && u < e) {
            *first = b;
            *count = e - b;
            return t;
        }
    }
    return -1;
}

/* What unit u (of units) prefetches for the nodes after this one: the
 * span of the thread that owns u on time (whose L2 the reader will be
 * on), cut evenly over that thread's units. */
static mbi_byte_span unit_prefetch(const conv_job *j, size_t units, size_t u)
{
    const mbi_byte_span none = {NULL, 0};
    if (!j->n_prefetch)
        return none;
    size_t first, count;
    int t;
    if (j->p->shares >= 2) {
        const size_t shares = j->p->shares;
        size_t s = 0, b, c;
        while (s + 1 < shares && u >= units * (s + 1) / shares)
            s++;
        first = units * s / shares;
        count = units * (s + 1) / shares - first;
        t = task_owner(shares, j->threads, s, &b, &c);
    } else {
        t = task_owner(units, j->threads, u, &first, &count);
    }
    if (t < 0 || t >= j->n_prefetch || !count)
        return none;
    const mbi_byte_span *sp = &j->prefetch[t];
    size_t i = u - first, b0 = sp->bytes * i / count, b1 = sp->bytes * (i + 1) / count;
    return (mbi_byte_span){(const char *)sp->data + b0, b1 - b0};
}

static void gemm_task(void *arg, size_t task, int thread)
{
    const conv_job *j = arg;
    const conv_nhwc_params *p = j->p;
    const mbi_f32_gemm_kernel *gk = j->kern->gemm;
    size_t mt = task / p->n_tasks, nt = task % p->n_tasks;
    /* Tiles and blocks spread evenly: units differ by one at most. */
    size_t t0 = p->tiles * mt / p->m_tasks, t1 = p->tiles * (mt + 1) / p->m_tasks;
    size_t b0 = p->n_blocks * nt / p->n_tasks, b1 = p->n_blocks * (nt + 1) / p->n_tasks;
    if (t0 == t1 || b0 == b1)
        return;
    size_t pixels = (size_t)(p->batch * p->g.out[1] * p->g.out[2]);
    size_t m0 = t0 * p->mr, m1 = t1 * p->mr < pixels ? t1 * p->mr : pixels;
    size_t rows = m1 - m0;
    size_t n0 = b0 * gk->nr, n1 = b1 * gk->nr < (size_t)p->m ? b1 * gk->nr : (size_t)p->m;
    const size_t ldc = (size_t)p->ctot;
    float *c = j->y + m0 * ldc;
    if (p->kind == CONV_IGEMM) {
        /* Units start on whole tiles of the indirection buffer. */
        const mbi_f32_igemm_kernel *ik = j->kern->igemm;
        const size_t ks = (size_t)(p->g.kernel[1] * p->g.kernel[2]);
        const float **ind = p->indirection ? p->indirection + m0 * ks : NULL;
        if (!ind) {
            ind = j->ind_scratch + (size_t)thread * p->scratch_per_thread;
            mbi_f32_igemm_indirection_build(&p->ig, ik->mr, j->x, p->zero, m0 / ik->mr,
                                            (rows + ik->mr - 1) / ik->mr, ind);
        }
        mbi_f32_igemm_compute(ik, rows, n0, n1, (size_t)p->c, ks, ind, p->packed, c, ldc,
                              &p->mm);
    } else {
        mbi_byte_span pf = unit_prefetch(j, p->m_tasks * p->n_tasks, task);
        mbi_f32_gemm_compute_prefetch(gk, rows, n0, n1, p->k, j->x + m0 * p->k, p->k, p->packed,
                                      c, ldc, &p->mm, pf.data, pf.bytes);
    }
    /* A residual implies no slice (prepare), so it has Y's row stride. */
    if (p->tile_pass)
        mbi_f32_epilogue_tile(j->kern->act, &p->ep, c + n0, rows, n1 - n0, ldc,
                              j->residual ? j->residual + m0 * ldc + n0 : NULL, ldc);
}

/* The epilogue's tile pass over the output of tiles [s, e), channels
 * [n0, n1): for each tile row the block covers, its pixel rows. */
static void winograd_epilogue(const conv_job *j, size_t s, size_t e, size_t n0, size_t n1)
{
    const conv_nhwc_params *p = j->p;
    const mbi_winograd_conv *g = &p->wg;
    const size_t tw = mbi_winograd_tiles_w(g), th = mbi_winograd_tiles_h(g), m = g->m;
    const size_t ldc = (size_t)p->ctot;
    while (s < e) {
        const size_t row = s / tw, img = row / th, ty = row % th;
        const size_t tx0 = s % tw, tx1 = e - row * tw < tw ? e - row * tw : tw;
        const size_t x0 = tx0 * m, x1 = tx1 * m < g->out_w ? tx1 * m : g->out_w;
        const size_t y1 = ty * m + m < g->out_h ? ty * m + m : g->out_h;
        for (size_t oy = ty * m; oy < y1; oy++) {
            const size_t px = (img * g->out_h + oy) * g->out_w + x0;
            mbi_f32_epilogue_tile(j->kern->act, &p->ep, j->y + px * ldc + n0, x1 - x0, n1 - n0,
                                  ldc, j->residual ? j->residual + px * ldc + n0 : NULL, ldc);
        }
        s = row * tw + tx1;
    }
}

static void winograd_task(void *arg, size_t task, int thread)
{
    const conv_job *j = arg;
    const conv_nhwc_params *p = j->p;
    const mbi_f32_gemm_kernel *gk = j->kern->gemm;
    size_t mt = task / p->n_tasks, nt = task % p->n_tasks;
    size_t t0 = p->wg_tiles * mt / p->m_tasks, t1 = p->wg_tiles * (mt + 1) / p->m_tasks;
    size_t b0 = p->n_blocks * nt / p->n_tasks, b1 = p->n_blocks * (nt + 1) / p->n_tasks;
    if (t0 == t1 || b0 == b1)
        return;
    size_t n0 = b0 * gk->nr, n1 = b1 * gk->nr < (size_t)p->m ? b1 * gk->nr : (size_t)p->m;
    float *scratch = j->wg_scratch + (size_t)thread * p->wg_scratch;
    /* Blocks of nearly equal size, none above wg_block. */
    size_t blocks = (t1 - t0 + p->wg_block - 1) / p->wg_block;
    for (size_t b = 0; b < blocks; b++) {
        size_t s = t0 + (t1 - t0) * b / blocks, e = t0 + (t1 - t0) * (b + 1) / blocks;
        mbi_f32_winograd_compute(j->kern->winograd, gk, &p->wg, s, e - s, n0, n1, j->x, p->zero,
                                 p->packed, p->bias, j->y, (size_t)p->ctot, &p->mm, scratch);
        if (p->tile_pass)
            winograd_epilogue(j, s, e, n0, n1);
    }
}

static void dw_task(void *arg, size_t task, int thread)
{
    (void)thread;
    const conv_job *j = arg;
    const conv_nhwc_params *p = j->p;
    const mbi_window3d *g = &p->g;
    /* M channels: C, or C * repeat read from X's repeated copy. */
    size_t oh = (size_t)g->out[1], ow = (size_t)g->out[2], c = (size_t)p->m;
    size_t y0 = oh * task / p->m_tasks, y1 = oh * (task + 1) / p->m_tasks;
    if (y0 == y1)
        return;
    mbi_dwconv_shape s = {
        .in_h = (size_t)g->in[1], .in_w = (size_t)g->in[2], .channels = c,
        .kh = (size_t)g->kernel[1], .kw = (size_t)g->kernel[2],
        .stride_h = (size_t)g->stride[1], .stride_w = (size_t)g->stride[2],
        .dil_h = (size_t)g->dilation[1], .dil_w = (size_t)g->dilation[2],
        .pad_top = (size_t)g->pad_begin[1], .pad_left = (size_t)g->pad_begin[2],
        .out_h = oh, .out_w = ow};
    size_t in_image = s.in_h * s.in_w * c, out_image = oh * ow * c;
    /* An epilogue the kernel cannot apply (SiLU, a residual...) follows each
     * few rows while they are in L1, not the whole share (EfficientNet-B0's
     * 112x112x32 share is 1.6 MB). Pairs of rows: the kernel's band path
     * computes two output rows at a time. */
    size_t chunk = y1 - y0;
    if (p->tile_pass) {
        size_t row_bytes = ow * c * sizeof(float);
        chunk = DW_EPILOGUE_CHUNK_BYTES / (row_bytes ? row_bytes : 1) / 2 * 2;
        if (chunk < 2)
            chunk = 2;
    }
    for (int64_t n = 0; n < p->batch; n++) {
        float *y = j->y + (size_t)n * out_image;
        for (size_t r0 = y0; r0 < y1; r0 += chunk) {
            size_t r1 = y1 - r0 < chunk ? y1 : r0 + chunk;
            mbi_f32_dwconv_compute(j->kern->dwconv, &s, j->x + (size_t)n * in_image, p->packed, y,
                                   r0, r1, &p->mm);
            if (p->tile_pass)
                mbi_f32_epilogue_tile(j->kern->act, &p->ep, y + r0 * ow * c, (r1 - r0) * ow, c, c,
                                      j->residual
                                          ? j->residual + (size_t)n * out_image + r0 * ow * c
                                          : NULL,
                                      c);
        }
    }
}

/* X's channels repeated for a depthwise convolution with a multiplier:
 * out[px][c * r + k] = x[px][c], over rows of pixels. */
typedef struct repeat_job {
    const float *x;
    float *out;
    size_t row_pixels, c, r;
} repeat_job;

static void repeat_rows(void *arg, size_t r0, size_t r1, int thread)
{
    (void)thread;
    const repeat_job *j = arg;
    const size_t c = j->c, r = j->r;
    for (size_t px = r0 * j->row_pixels; px < r1 * j->row_pixels; px++) {
        const float *x = j->x + px * c;
        float *o = j->out + px * c * r;
        for (size_t i = 0; i < c; i++)
            for (size_t k = 0; k < r; k++)
                o[i * r + k] = x[i];
    }
}

/* Rows of X per chunk of the repeat: about 3 us of copying each. */
#define REPEAT_GRAIN_FLOATS 16384

static mobinfer_status conv_nhwc_run(mbi_op_ctx *ctx)
{
    conv_nhwc_params *p = ctx->params;
    if (p->kind == CONV_IGEMM && p->indirection && p->ind_x != ctx->in[0]->data) {
        const size_t mr = ctx->kernels->igemm->mr;
        const size_t pixels = (size_t)(p->batch * p->g.out[1] * p->g.out[2]);
        mbi_f32_igemm_indirection_build(&p->ig, mr, ctx->in[0]->data, p->zero, 0,
                                        (pixels + mr - 1) / mr, p->indirection);
        p->ind_x = ctx->in[0]->data;
    }
    float *y = ctx->out[0]->data;
    if (p->into >= 0 && ctx->in[p->into]->data != y)
        memcpy(y, ctx->in[p->into]->data, mbi_tensor_bytes(ctx->out[0]));
    const float *x = ctx->in[0]->data;
    if (p->kind == CONV_DEPTHWISE && p->repeat > 1) {
        const size_t w = (size_t)p->g.in[2], rows = (size_t)(p->batch * p->g.in[1]);
        const size_t row_floats = w * (size_t)p->m;
        float *rep = (float *)((char *)ctx->scratch + p->repeat_at);
        repeat_job rj = {x, rep, w, (size_t)p->c, p->repeat};
        mbi_threadpool_run_chunks(ctx->threadpool, rows,
                                  (REPEAT_GRAIN_FLOATS + row_floats - 1) / row_floats, repeat_rows,
                                  &rj);
        x = rep;
    }
    conv_job j = {p,
                  ctx->kernels,
                  x,
                  p->ep.residual ? ctx->in[ctx->n_in - 1]->data : NULL,
                  y + p->coff,
                  ctx->scratch ? (const float **)((char *)ctx->scratch + p->share_bytes) : NULL,
                  ctx->scratch,
                  p->kind == CONV_DEPTHWISE ? dw_task
                  : p->kind == CONV_WINOGRAD ? winograd_task
                                             : gemm_task,
                  ctx->scratch ? (float *)((char *)ctx->scratch + p->share_bytes) : NULL,
                  ctx->prefetch,
                  ctx->n_prefetch,
                  mbi_threadpool_size(ctx->threadpool)};
    size_t units = p->kind == CONV_DEPTHWISE ? p->m_tasks : p->m_tasks * p->n_tasks;
    if (p->shares < 2) {
        mbi_threadpool_run(ctx->threadpool, units, j.unit, &j);
        return MOBINFER_OK;
    }
    for (size_t s = 0; s < p->shares; s++) {
        unsigned first = (unsigned)(units * s / p->shares);
        unsigned end = (unsigned)(units * (s + 1) / p->shares);
        atomic_store_explicit(&j.shares[s].range, first | end << 16, memory_order_relaxed);
    }
    mbi_threadpool_run(ctx->threadpool, p->shares, steal_task, &j);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_ConvNhwc = {"ConvNhwc", "com.mobinfer", MBI_OP_INPLACE_NAMED,
                                    conv_nhwc_prepare, conv_nhwc_run};
