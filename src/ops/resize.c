/* Resize (opsets 10, 11, 13, 18, 19) and the deprecated Upsample (scales as
 * an attribute in opset 7, as an input from opset 9). prepare reads the
 * constant scales/sizes/roi, derives the output shape and builds a
 * per-axis sampling plan (see ref/resize_ref.h); run applies it, split over
 * the threads along the first output axis longer than 1. nearest
 * works on every dtype; linear and cubic (also with antialias, which widens
 * the filter by 1/scale when downsampling) on float32.
 *
 * Coordinates follow the ONNX reference implementation, which produced the
 * official test data: `output_width` in align_corners, tf_crop_and_resize and
 * half_pixel_symmetric is scale * input length, which may be fractional when
 * the output size came from a scale. Upsample and Resize-10 predate
 * coordinate_transformation_mode; they use asymmetric coordinates and, for
 * nearest, round down when upsampling and up when downsampling, as ONNX
 * Runtime does. */
#include <math.h>
#include <string.h>

#include "ops/nn_spatial.h"
#include "ops/op.h"
#include "ops/ref/resize_ref.h"
#include "ops/tensor_args.h"
#include "runtime/thread_pool.h"

typedef enum { MODE_NEAREST, MODE_LINEAR, MODE_CUBIC } interp_mode;

typedef enum {
    CT_HALF_PIXEL,
    CT_HALF_PIXEL_SYMMETRIC,
    CT_PYTORCH_HALF_PIXEL,
    CT_ALIGN_CORNERS,
    CT_ASYMMETRIC,
    CT_TF_HALF_PIXEL_FOR_NN,
    CT_TF_CROP_AND_RESIZE
} coord_mode;

typedef enum { NM_SIMPLE, NM_ROUND_PREFER_FLOOR, NM_ROUND_PREFER_CEIL, NM_FLOOR, NM_CEIL } nearest_mode;

typedef struct resize_config {
    interp_mode mode;
    coord_mode coord;
    nearest_mode nearest;
    double cubic_a;
    bool exclude_outside;
    bool antialias;
} resize_config;

typedef struct resize_params {
    int rank;
    bool weighted; /* some axis has more than one tap */
    size_t elem_size;
    float extrapolation;
    unsigned char extrapolation_elem[8];
    mbi_resize_axis axes[MBI_MAX_RANK];
} resize_params;

static const struct {
    const char *name;
    int value;
} coord_names[] = {
    {"half_pixel", CT_HALF_PIXEL},
    {"half_pixel_symmetric", CT_HALF_PIXEL_SYMMETRIC},
    {"pytorch_half_pixel", CT_PYTORCH_HALF_PIXEL},
    {"align_corners", CT_ALIGN_CORNERS},
    {"asymmetric", CT_ASYMMETRIC},
    {"tf_half_pixel_for_nn", CT_TF_HALF_PIXEL_FOR_NN},
    {"tf_crop_and_resize", CT_TF_CROP_AND_RESIZE},
}, nearest_names[] = {
    {"round_prefer_floor", NM_ROUND_PREFER_FLOOR},
    {"round_prefer_ceil", NM_ROUND_PREFER_CEIL},
    {"floor", NM_FLOOR},
    {"ceil", NM_CEIL},
}, mode_names[] = {
    {"nearest", MODE_NEAREST},
    {"linear", MODE_LINEAR},
    {"bilinear", MODE_LINEAR}, /* Upsample-1 spelling */
    {"cubic", MODE_CUBIC},
};

#define LOOKUP(table, s, out)                                                                \
    do {                                                                                     \
        *(out) = -1;                                                                         \
        for (size_t i_ = 0; i_ < sizeof(table) / sizeof((table)[0]); i_++)                   \
            if (strcmp((table)[i_].name, (s)) == 0)                                          \
                *(out) = (table)[i_].value;                                                  \
    } while (0)

/* Source coordinate of output position o on an axis. */
static double source_coord(coord_mode ct, double o, double scale, int64_t in_len,
                           int64_t out_len, double roi_start, double roi_end)
{
    double width = scale * (double)in_len; /* output_width, may be fractional */
    switch (ct) {
    case CT_HALF_PIXEL:
        return (o + 0.5) / scale - 0.5;
    case CT_HALF_PIXEL_SYMMETRIC: {
        double adjustment = (double)out_len / width;
        double offset = (double)in_len / 2.0 * (1.0 - adjustment);
        return offset + (o + 0.5) / scale - 0.5;
    }
    case CT_PYTORCH_HALF_PIXEL:
        return out_len > 1 ? (o + 0.5) / scale - 0.5 : 0.0;
    case CT_ALIGN_CORNERS:
        return width == 1.0 ? 0.0 : o * (double)(in_len - 1) / (width - 1.0);
    case CT_ASYMMETRIC:
        return o / scale;
    case CT_TF_HALF_PIXEL_FOR_NN:
        return (o + 0.5) / scale;
    case CT_TF_CROP_AND_RESIZE: {
        double x = width == 1.0 ? (roi_end - roi_start) * (double)(in_len - 1) / 2.0
                                : o * (roi_end - roi_start) * (double)(in_len - 1) / (width - 1.0);
        return x + roi_start * (double)(in_len - 1);
    }
    }
    return 0.0;
}

static int64_t clamp_index(int64_t i, int64_t n)
{
    return i < 0 ? 0 : i >= n ? n - 1 : i;
}

static int64_t nearest_index(nearest_mode nm, double x, bool downsample)
{
    double f = floor(x);
    if (nm == NM_SIMPLE)
        return downsample ? (int64_t)ceil(x) : (int64_t)x;
    if (x == f)
        return (int64_t)f;
    double r = x - f;
    switch (nm) {
    case NM_ROUND_PREFER_FLOOR: return (int64_t)f + (r > 0.5);
    case NM_ROUND_PREFER_CEIL: return (int64_t)f + (r >= 0.5);
    case NM_FLOOR: return (int64_t)f;
    default: return (int64_t)f + 1;
    }
}

/* Keys cubic convolution kernel at distance t >= 0. */
static double cubic_kernel(double a, double t)
{
    if (t <= 1.0)
        return ((a + 2.0) * t - (a + 3.0)) * t * t + 1.0;
    if (t < 2.0)
        return ((a * t - 5.0 * a) * t + 8.0 * a) * t - 4.0 * a;
    return 0.0;
}

/* Filter of an axis: its half-width (1 linear, 2 cubic) and, with
 * antialias when downsampling, its stretch factor 1/scale. */
static int axis_taps(const resize_config *cfg, double scale, double *stretch)
{
    *stretch = 1.0;
    if (cfg->mode == MODE_NEAREST)
        return 1;
    double support = cfg->mode == MODE_LINEAR ? 1.0 : 2.0;
    if (!cfg->antialias || scale >= 1.0)
        return (int)(2 * support);
    /* Taps at offsets 1 - n/2 .. n/2 around the sample's left neighbour. */
    double start = floor(-support / scale) + 1.0, n = 2.0 - 2.0 * start;
    *stretch = scale;
    return n <= 1e8 ? (int)n : 0; /* 0: too wide, refused by the caller */
}

/* Fills the sampling plan of one axis. */
static mobinfer_status plan_axis(mbi_op_ctx *ctx, const resize_config *cfg, mbi_resize_axis *ax,
                                 int64_t in_len, int64_t out_len, double scale, double roi_start,
                                 double roi_end, bool identity)
{
    double s = 1.0;
    int taps = identity ? 1 : axis_taps(cfg, scale, &s);
    if (taps < 1 || (double)taps * (double)out_len > (double)ctx->limits->max_tensor_elements)
        return mbi_fail(ctx->err, MOBINFER_ERR_LIMIT,
                        "resampling filter of %d taps is too large", taps);
    size_t n = (size_t)out_len * (size_t)taps;
    int64_t *index = mbi_op_alloc(ctx, n * sizeof(int64_t) + 1);
    float *weight = mbi_op_alloc(ctx, n * sizeof(float) + 1);
    double *w = mbi_op_alloc(ctx, (size_t)taps * sizeof(double));
    uint8_t *outside = NULL;
    if (!index || !weight || !w)
        return ctx->err->status;
    ax->taps = taps;
    ax->index = index;
    ax->weight = weight;
    ax->outside = NULL;
    if (identity) {
        for (int64_t o = 0; o < out_len; o++) {
            index[o] = o;
            weight[o] = 1.0f;
        }
        return MOBINFER_OK;
    }
    if (cfg->coord == CT_TF_CROP_AND_RESIZE) {
        outside = mbi_op_alloc(ctx, (size_t)out_len + 1);
        if (!outside)
            return ctx->err->status;
        ax->outside = outside;
    }
    for (int64_t o = 0; o < out_len; o++) {
        double x = source_coord(cfg->coord, (double)o, scale, in_len, out_len, roi_start, roi_end);
        if (outside)
            outside[o] = x < 0.0 || x > (double)(in_len - 1);
        /* Keeps the float-to-integer conversions below defined. */
        if (!(x > -1e15 && x < 1e15))
            x = 0.0;
        if (cfg->mode == MODE_NEAREST) {
            index[o] = clamp_index(nearest_index(cfg->nearest, x, scale < 1.0), in_len);
            weight[o] = 1.0f;
            continue;
        }
        /* Like the reference: the left neighbour `base` is strictly left of
         * x unless x is an integer, where it is x - 1 with r = 1. */
        double fl = floor(x);
        double r = x == fl ? 1.0 : x - fl;
        int64_t base = (int64_t)fl - (x == fl);
        int64_t first = base + 1 - taps / 2;
        double sum = 0.0;
        for (int t = 0; t < taps; t++) {
            double d = fabs((double)(first + t - base) - r) * s;
            w[t] = cfg->mode == MODE_LINEAR ? (d < 1.0 ? 1.0 - d : 0.0)
                                            : cubic_kernel(cfg->cubic_a, d);
            sum += w[t];
        }
        if (cfg->antialias && sum != 0.0)
            for (int t = 0; t < taps; t++)
                w[t] /= sum;
        if (cfg->exclude_outside) {
            sum = 0.0;
            for (int t = 0; t < taps; t++) {
                if (first + t < 0 || first + t >= in_len)
                    w[t] = 0.0;
                sum += w[t];
            }
            if (sum != 0.0)
                for (int t = 0; t < taps; t++)
                    w[t] /= sum;
        }
        for (int t = 0; t < taps; t++) {
            index[o * taps + t] = clamp_index(first + t, in_len);
            weight[o * taps + t] = (float)w[t];
        }
    }
    return MOBINFER_OK;
}

/* Reads a constant 1-D float32 input into out (at most max_count values);
 * *count is 0 when the input is omitted or empty. */
static mobinfer_status float_list(mbi_op_ctx *ctx, int index, const char *what, double *out,
                                  int64_t max_count, int64_t *count)
{
    *count = 0;
    const mbi_tensor *t = mbi_op_input(ctx, index);
    if (!t || mbi_tensor_numel(t) == 0)
        return MOBINFER_OK;
    if (t->dtype != MOBINFER_DTYPE_FLOAT32)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "input '%s' must be float32, not %s",
                        what, mbi_dtype_name(t->dtype));
    if (t->rank != 1)
        return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "input '%s' must be 1-D", what);
    mobinfer_status st = mbi_op_require_constant(ctx, index, what);
    if (st)
        return st;
    if (t->dims[0] > max_count)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "input '%s' has %lld values", what,
                        (long long)t->dims[0]);
    *count = t->dims[0];
    for (int64_t i = 0; i < *count; i++)
        out[i] = ((const float *)t->data)[i];
    return MOBINFER_OK;
}

static mobinfer_status resize_prepare(mbi_op_ctx *ctx)
{
    mobinfer_status st = mbi_targ_known_dtype(ctx, 0);
    if (st)
        return st;
    const mbi_tensor *x = ctx->in[0];
    int rank = x->rank;
    bool upsample = strcmp(ctx->node->op_type, "Upsample") == 0;
    bool modern = !upsample && ctx->opset >= 11; /* roi, scales, sizes */
    resize_params *p = mbi_op_alloc(ctx, sizeof *p);
    if (!p)
        return ctx->err->status;
    ctx->params = p;
    p->rank = rank;
    p->elem_size = mbi_dtype_size(x->dtype);

    resize_config cfg = {MODE_NEAREST, CT_ASYMMETRIC, NM_SIMPLE, -0.75, false, false};
    const char *s;
    int v;
    if ((st = mbi_attr_string(ctx->node, "mode", "nearest", &s, ctx->err)))
        return st;
    LOOKUP(mode_names, s, &v);
    if (v < 0 || (v == MODE_CUBIC && !modern))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "attribute 'mode' '%s' is not valid",
                        s);
    cfg.mode = (interp_mode)v;
    float extrapolation = 0.0f;
    int64_t antialias = 0, exclude = 0;
    const char *policy = "stretch";
    if (modern) {
        float a;
        if ((st = mbi_attr_string(ctx->node, "coordinate_transformation_mode", "half_pixel", &s,
                                  ctx->err)))
            return st;
        LOOKUP(coord_names, s, &v);
        if (v < 0 || (v == CT_HALF_PIXEL_SYMMETRIC && ctx->opset < 19))
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "attribute 'coordinate_transformation_mode' '%s' is not valid", s);
        cfg.coord = (coord_mode)v;
        if ((st = mbi_attr_string(ctx->node, "nearest_mode", "round_prefer_floor", &s, ctx->err)))
            return st;
        LOOKUP(nearest_names, s, &v);
        if (v < 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "attribute 'nearest_mode' '%s' is not valid", s);
        cfg.nearest = (nearest_mode)v;
        if ((st = mbi_attr_float(ctx->node, "cubic_coeff_a", -0.75f, &a, ctx->err)) ||
            (st = mbi_attr_int(ctx->node, "exclude_outside", 0, &exclude, ctx->err)) ||
            (st = mbi_attr_float(ctx->node, "extrapolation_value", 0.0f, &extrapolation,
                                 ctx->err)))
            return st;
        cfg.cubic_a = a;
        cfg.exclude_outside = exclude != 0;
        if (ctx->opset >= 18) {
            if ((st = mbi_attr_int(ctx->node, "antialias", 0, &antialias, ctx->err)) ||
                (st = mbi_attr_string(ctx->node, "keep_aspect_ratio_policy", "stretch", &policy,
                                      ctx->err)))
                return st;
        }
    }
    /* Nearest sampling has no filter to widen: antialias changes nothing. */
    cfg.antialias = antialias != 0 && cfg.mode != MODE_NEAREST;
    if (strcmp(policy, "stretch") != 0 && strcmp(policy, "not_larger") != 0 &&
        strcmp(policy, "not_smaller") != 0)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "attribute 'keep_aspect_ratio_policy' '%s' is not valid", policy);

    /* Axes the scales/sizes/roi refer to (opset 18). */
    int axes[MBI_MAX_RANK];
    int n_axes = rank;
    mbi_int_list axes_l = {0};
    if (modern && ctx->opset >= 18 && (st = mbi_targ_attr_ints(ctx, "axes", &axes_l)))
        return st;
    if (axes_l.present) {
        if ((st = mbi_targ_axes(ctx, &axes_l, rank, "axes", axes)))
            return st;
        n_axes = (int)axes_l.count;
    } else {
        for (int i = 0; i < rank; i++)
            axes[i] = i;
    }

    double scales[MBI_MAX_RANK], roi[2 * MBI_MAX_RANK];
    int64_t n_scales = 0, n_roi = 0;
    mbi_int_list sizes = {0};
    if (upsample && ctx->opset < 9) {
        const float *f;
        size_t n;
        if ((st = mbi_attr_floats(ctx->node, "scales", &f, &n, ctx->err)))
            return st;
        if (n > MBI_MAX_RANK)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "too many scales");
        for (size_t i = 0; i < n; i++)
            scales[i] = f[i];
        n_scales = (int64_t)n;
    } else if (!modern) {
        if ((st = float_list(ctx, 1, "scales", scales, MBI_MAX_RANK, &n_scales)))
            return st;
    } else {
        if ((st = float_list(ctx, 2, "scales", scales, MBI_MAX_RANK, &n_scales)))
            return st;
        if ((st = mbi_targ_input_ints(ctx, 3, "sizes", &sizes)))
            return st;
        if (sizes.present && sizes.count == 0)
            sizes.present = false;
        if (cfg.coord == CT_TF_CROP_AND_RESIZE &&
            (st = float_list(ctx, 1, "roi", roi, 2 * MBI_MAX_RANK, &n_roi)))
            return st;
    }
    if ((n_scales > 0) == sizes.present)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "exactly one of 'scales' and 'sizes' must be given");
    if (cfg.coord == CT_TF_CROP_AND_RESIZE && n_roi != 2 * n_axes)
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "input 'roi' must have %d values for tf_crop_and_resize", 2 * n_axes);
    if ((n_scales > 0 && n_scales != n_axes) || (sizes.present && sizes.count != n_axes))
        return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                        "'%s' has %lld values for %d axes", n_scales > 0 ? "scales" : "sizes",
                        (long long)(n_scales > 0 ? n_scales : sizes.count), n_axes);

    /* Per-axis scale and output size; axes not listed keep their size. */
    double axis_scale[MBI_MAX_RANK], roi_start[MBI_MAX_RANK], roi_end[MBI_MAX_RANK];
    int64_t dims[MBI_MAX_RANK];
    bool listed[MBI_MAX_RANK] = {false};
    for (int d = 0; d < rank; d++) {
        axis_scale[d] = 1.0;
        dims[d] = x->dims[d];
        roi_start[d] = 0.0;
        roi_end[d] = 1.0;
    }
    double lim = (double)ctx->limits->max_tensor_elements;
    for (int i = 0; i < n_axes; i++) {
        int d = axes[i];
        listed[d] = true;
        if (n_roi) {
            roi_start[d] = roi[i];
            roi_end[d] = roi[n_axes + i];
        }
        if (n_scales > 0) {
            double sc = scales[i];
            if (!(sc > 0.0) || !isfinite(sc) || (upsample && sc < 1.0))
                return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                                "scale %g for axis %d must be %s", sc, d,
                                upsample ? ">= 1" : "positive");
            double o = floor((double)x->dims[d] * sc);
            if (o > lim)
                return mbi_fail(ctx->err, MOBINFER_ERR_LIMIT,
                                "output size %g on axis %d exceeds the limit", o, d);
            axis_scale[d] = sc;
            dims[d] = (int64_t)o;
        } else {
            int64_t o = mbi_int_list_get(&sizes, i);
            if (o < 0)
                return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "'sizes' has negative value %lld",
                                (long long)o);
            if (x->dims[d] == 0 && o != 0)
                return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE,
                                "cannot resize empty axis %d to %lld", d, (long long)o);
            dims[d] = o;
            axis_scale[d] = x->dims[d] == 0 ? 1.0 : (double)o / (double)x->dims[d];
        }
    }
    if (sizes.present && strcmp(policy, "stretch") != 0) {
        bool larger = strcmp(policy, "not_smaller") == 0;
        double sc = larger ? 0.0 : INFINITY;
        for (int i = 0; i < n_axes; i++) {
            double a = axis_scale[axes[i]];
            sc = larger ? (a > sc ? a : sc) : (a < sc ? a : sc);
        }
        for (int i = 0; i < n_axes; i++) {
            int d = axes[i];
            double o = floor(sc * (double)x->dims[d] + 0.5);
            if (o > lim)
                return mbi_fail(ctx->err, MOBINFER_ERR_LIMIT,
                                "output size %g on axis %d exceeds the limit", o, d);
            axis_scale[d] = sc;
            dims[d] = (int64_t)o;
        }
    }
    if ((st = mbi_targ_check_numel(ctx, dims, rank, "output shape", NULL)))
        return st;
    for (int d = 0; d < rank; d++)
        if (x->dims[d] == 0 && dims[d] != 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "cannot resize empty axis %d", d);

    p->weighted = false;
    for (int d = 0; d < rank; d++) {
        /* The reference implementation skips axes that stay the same. */
        bool identity = !listed[d] ||
                        (fabs(axis_scale[d] - 1.0) <= 1e-9 && dims[d] == x->dims[d] &&
                         (cfg.coord != CT_TF_CROP_AND_RESIZE ||
                          (fabs(roi_start[d]) <= 1e-9 && fabs(roi_end[d] - 1.0) <= 1e-9)));
        if ((st = plan_axis(ctx, &cfg, &p->axes[d], x->dims[d], dims[d], axis_scale[d],
                            roi_start[d], roi_end[d], identity)))
            return st;
        if (p->axes[d].taps > 1)
            p->weighted = true;
    }
    if (p->weighted && x->dtype != MOBINFER_DTYPE_FLOAT32)
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED,
                        "linear and cubic resizing of %s is not supported",
                        mbi_dtype_name(x->dtype));
    p->extrapolation = extrapolation;
    if (x->dtype == MOBINFER_DTYPE_FLOAT32)
        memcpy(p->extrapolation_elem, &extrapolation, sizeof extrapolation);
    else if (x->dtype == MOBINFER_DTYPE_INT64 || x->dtype == MOBINFER_DTYPE_INT32) {
        int64_t e = (int64_t)(extrapolation > -2e9f && extrapolation < 2e9f ? extrapolation : 0);
        int32_t e32 = (int32_t)e;
        if (x->dtype == MOBINFER_DTYPE_INT64)
            memcpy(p->extrapolation_elem, &e, 8);
        else
            memcpy(p->extrapolation_elem, &e32, 4);
    } else {
        p->extrapolation_elem[0] =
            (unsigned char)(extrapolation > 0 && extrapolation < 256 ? (int)extrapolation : 0);
    }
    mbi_op_set_output(ctx, 0, x->dtype, dims, rank);
    /* Work of a weighted resize: one multiply-add per tap combination of
     * every output element (reported like MACs, so that budgets and the
     * profiler see it). */
    if (p->weighted) {
        uint64_t work = 1;
        for (int d = 0; d < rank; d++)
            work = mbi_mul_sat(mbi_mul_sat(work, (uint64_t)dims[d]), (uint64_t)p->axes[d].taps);
        ctx->macs = work;
    }
    return MOBINFER_OK;
}

/* Whether axis d keeps its size and reads position o at o. */
static bool axis_unchanged(const mbi_resize_axis *a, int64_t in, int64_t out)
{
    if (a->taps != 1 || a->outside || in != out)
        return false;
    for (int64_t o = 0; o < out; o++)
        if (a->index[o] != o)
            return false;
    return true;
}

/* Bilinear (or any two-tap) resizing of [N, H, W, C] channels-last data:
 * each output pixel mixes four input pixels, channel vectors at a time —
 * the general N-axis kernel walks every tap combination per element. */
static bool nhwc_2tap_fits(const resize_params *p, const mbi_tensor *x, const mbi_tensor *y)
{
    const mbi_resize_axis *ax = p->axes;
    return p->rank == 4 && ax[1].taps == 2 && ax[2].taps == 2 && !ax[1].outside &&
           !ax[2].outside && axis_unchanged(&ax[0], x->dims[0], y->dims[0]) &&
           axis_unchanged(&ax[3], x->dims[3], y->dims[3]);
}

/* Output rows [r0, r1) of the N * OH rows of resize_nhwc_2tap. */
static void resize_nhwc_2tap_rows(const resize_params *p, const mbi_tensor *x,
                                  const mbi_tensor *y, int64_t r0, int64_t r1)
{
    const mbi_resize_axis *ax = p->axes;
    const int64_t oh = y->dims[1], ow = y->dims[2], c = y->dims[3];
    const int64_t ih = x->dims[1], iw = x->dims[2];
    const float *in = x->data;
    float *out = (float *)y->data + r0 * ow * c;
    for (int64_t r = r0; r < r1; r++) {
        const int64_t b = r / oh, oy = r % oh;
        const float *row0 = in + ((b * ih + ax[1].index[2 * oy]) * iw) * c;
        const float *row1 = in + ((b * ih + ax[1].index[2 * oy + 1]) * iw) * c;
        const float wy0 = ax[1].weight[2 * oy], wy1 = ax[1].weight[2 * oy + 1];
        for (int64_t ox = 0; ox < ow; ox++, out += c) {
            const int64_t x0 = ax[2].index[2 * ox] * c, x1 = ax[2].index[2 * ox + 1] * c;
            const float w00 = wy0 * ax[2].weight[2 * ox], w01 = wy0 * ax[2].weight[2 * ox + 1];
            const float w10 = wy1 * ax[2].weight[2 * ox], w11 = wy1 * ax[2].weight[2 * ox + 1];
            for (int64_t ch = 0; ch < c; ch++)
                out[ch] = w00 * row0[x0 + ch] + w01 * row0[x1 + ch] + w10 * row1[x0 + ch] +
                          w11 * row1[x1 + ch];
        }
    }
}

/* The fewest output elements worth a chunk of their own, about 3 us (a
 * fork-join with spinning workers costs about one): nearest sampling only
 * moves elements, weighted sampling does a few multiply-adds per tap. */
#define GRAIN_NEAREST 16384
#define GRAIN_WEIGHTED 4096

typedef struct resize_job {
    const resize_params *p;
    const mbi_tensor *x, *y;
    bool nhwc_2tap;
    int axis;      /* the output is split along it; every axis before has size 1 */
    size_t inner;  /* output elements per position of axis */
} resize_job;

/* Positions [o0, o1) of the split axis: the same plan with that axis's
 * sampling tables moved to o0 and its output length cut, writing from the
 * matching output offset. Input positions are absolute, so the input stays. */
static void resize_range(void *arg, size_t o0, size_t o1, int thread)
{
    (void)thread;
    const resize_job *j = arg;
    const resize_params *p = j->p;
    if (j->nhwc_2tap) {
        resize_nhwc_2tap_rows(p, j->x, j->y, (int64_t)o0, (int64_t)o1);
        return;
    }
    mbi_resize_axis axes[MBI_MAX_RANK];
    int64_t out_dims[MBI_MAX_RANK];
    memcpy(axes, p->axes, sizeof axes);
    memcpy(out_dims, j->y->dims, sizeof(int64_t) * (size_t)p->rank);
    mbi_resize_axis *a = &axes[j->axis];
    a->index += o0 * (size_t)a->taps;
    if (a->taps > 1)
        a->weight += o0 * (size_t)a->taps;
    if (a->outside)
        a->outside += o0;
    out_dims[j->axis] = (int64_t)(o1 - o0);
    unsigned char *out = (unsigned char *)j->y->data + o0 * j->inner * p->elem_size;
    if (p->weighted)
        mbi_ref_resize_f32(p->rank, j->x->dims, out_dims, axes, p->extrapolation, j->x->data,
                           (float *)out);
    else
        mbi_ref_resize_nearest(p->elem_size, p->rank, j->x->dims, out_dims, axes,
                               p->extrapolation_elem, j->x->data, out);
}

static mobinfer_status resize_run(mbi_op_ctx *ctx)
{
    const resize_params *p = ctx->params;
    const mbi_tensor *x = ctx->in[0];
    mbi_tensor *y = ctx->out[0];
    resize_job j = {p, x, y, false, 0, 1};
    size_t positions;
    if (p->weighted && x->dtype == MOBINFER_DTYPE_FLOAT32 && nhwc_2tap_fits(p, x, y)) {
        j.nhwc_2tap = true;
        positions = (size_t)(y->dims[0] * y->dims[1]);
        j.inner = (size_t)(y->dims[2] * y->dims[3]);
    } else if (p->rank > 0) {
        while (j.axis < p->rank - 1 && y->dims[j.axis] == 1)
            j.axis++;
        positions = (size_t)y->dims[j.axis];
        for (int d = j.axis + 1; d < p->rank; d++)
            j.inner *= (size_t)y->dims[d];
    } else {
        positions = 0;
    }
    if (positions == 0 || j.inner == 0) {
        if (p->weighted)
            mbi_ref_resize_f32(p->rank, x->dims, y->dims, p->axes, p->extrapolation, x->data,
                               y->data);
        else
            mbi_ref_resize_nearest(p->elem_size, p->rank, x->dims, y->dims, p->axes,
                                   p->extrapolation_elem, x->data, y->data);
        return MOBINFER_OK;
    }
    size_t work = p->weighted ? GRAIN_WEIGHTED : GRAIN_NEAREST;
    mbi_threadpool_run_chunks(ctx->threadpool, positions, (work + j.inner - 1) / j.inner,
                              resize_range, &j);
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Resize = {"Resize", "", 0, resize_prepare, resize_run};
const mbi_op_def mbi_op_Upsample = {"Upsample", "", 0, resize_prepare, resize_run};
