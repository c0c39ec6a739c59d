/* Range: start, limit and delta are constant scalars (the element count
 * depends on them). */
#include <math.h>

#include "ops/op.h"
#include "ops/ref/range_ref.h"
#include "ops/tensor_args.h"

static mobinfer_status range_prepare(mbi_op_ctx *ctx)
{
    static const char *const names[3] = {"start", "limit", "delta"};
    mobinfer_status st;
    for (int i = 0; i < 3; i++) {
        if ((st = mbi_op_require_constant(ctx, i, names[i])))
            return st;
        const mbi_tensor *t = ctx->in[i];
        if (t->dtype != ctx->in[0]->dtype)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "inputs must have the same type");
        if (mbi_tensor_numel(t) != 1 || t->rank > 1)
            return mbi_fail(ctx->err, MOBINFER_ERR_SHAPE, "input '%s' must be a scalar",
                            names[i]);
    }
    mobinfer_dtype dtype = ctx->in[0]->dtype;
    uint64_t lim = ctx->limits->max_tensor_elements;
    int64_t n;
    if (dtype == MOBINFER_DTYPE_FLOAT32) {
        double s = *(const float *)ctx->in[0]->data, l = *(const float *)ctx->in[1]->data,
               d = *(const float *)ctx->in[2]->data;
        if (d == 0.0 || !isfinite(s) || !isfinite(l) || !isfinite(d))
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL,
                            "start, limit and delta must be finite and delta non-zero");
        double c = ceil((l - s) / d);
        if (c > (double)lim)
            return mbi_fail(ctx->err, MOBINFER_ERR_LIMIT, "Range of %g elements exceeds the limit",
                            c);
        n = c > 0 ? (int64_t)c : 0;
    } else if (dtype == MOBINFER_DTYPE_INT64 || dtype == MOBINFER_DTYPE_INT32) {
        int64_t s = mbi_tensor_get_int(ctx->in[0], 0), l = mbi_tensor_get_int(ctx->in[1], 0),
                d = mbi_tensor_get_int(ctx->in[2], 0);
        if (d == 0)
            return mbi_fail(ctx->err, MOBINFER_ERR_INVALID_MODEL, "delta must not be 0");
        /* Unsigned differences cannot overflow: |l - s| < 2^64. */
        uint64_t count = 0;
        if (d > 0 && l > s)
            count = ((uint64_t)l - (uint64_t)s - 1) / (uint64_t)d + 1;
        else if (d < 0 && l < s)
            count = ((uint64_t)s - (uint64_t)l - 1) / ((uint64_t)(-(d + 1)) + 1) + 1;
        if (count > lim)
            return mbi_fail(ctx->err, MOBINFER_ERR_LIMIT,
                            "Range of %llu elements exceeds the limit", (unsigned long long)count);
        n = (int64_t)count;
    } else {
        return mbi_fail(ctx->err, MOBINFER_ERR_UNSUPPORTED, "Range of %s is not supported",
                        mbi_dtype_name(dtype));
    }
    int64_t dims[1] = {n};
    mbi_op_set_output(ctx, 0, dtype, dims, 1);
    return MOBINFER_OK;
}

static mobinfer_status range_run(mbi_op_ctx *ctx)
{
    mbi_tensor *y = ctx->out[0];
    int64_t n = y->dims[0];
    switch (y->dtype) {
    case MOBINFER_DTYPE_FLOAT32:
        mbi_ref_range_f32(*(const float *)ctx->in[0]->data, *(const float *)ctx->in[2]->data, n,
                          y->data);
        break;
    case MOBINFER_DTYPE_INT32:
        mbi_ref_range_i32(*(const int32_t *)ctx->in[0]->data, *(const int32_t *)ctx->in[2]->data,
                          n, y->data);
        break;
    default:
        mbi_ref_range_i64(*(const int64_t *)ctx->in[0]->data, *(const int64_t *)ctx->in[2]->data,
                          n, y->data);
        break;
    }
    return MOBINFER_OK;
}

const mbi_op_def mbi_op_Range = {"Range", "", 0, range_prepare, range_run};
