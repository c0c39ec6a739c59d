/* Image preprocessing; see preprocess.h for the contract. */
#include "preprocess.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PIL's 8-bit resampling keeps weights in fixed point with this many
 * fractional bits; using the same number reproduces its rounding. */
#define RESAMPLE_BITS 22

static int prep_fail(char *err, size_t errlen, const char *msg)
{
    if (err != NULL && errlen > 0)
        snprintf(err, errlen, "%s", msg);
    return -1;
}

int prep_resize_size(int w, int h, int shorter, int *out_w, int *out_h)
{
    int short_side = w <= h ? w : h;
    int long_side = w <= h ? h : w;
    double new_long;
    if (w <= 0 || h <= 0 || shorter <= 0)
        return -1;
    /* Same expression, in the same order, as torchvision: int(size * long / short). */
    new_long = (double)shorter * long_side / short_side;
    if (new_long >= (double)INT_MAX)
        return -1;
    if (w <= h) {
        *out_w = shorter;
        *out_h = (int)new_long;
    } else {
        *out_w = (int)new_long;
        *out_h = shorter;
    }
    return *out_w > 0 && *out_h > 0 ? 0 : -1;
}

/* One axis of a separable resample: for output position i, source pixels
 * first[i] .. first[i] + count[i] - 1 with fixed-point weights. */
typedef struct axis_weights {
    int taps;      /* weights stored per output position */
    int *first;
    int *count;
    int32_t *weight;
} axis_weights;

static void axis_weights_free(axis_weights *a)
{
    free(a->first);
    free(a->count);
    free(a->weight);
}

static double triangle(double x)
{
    if (x < 0)
        x = -x;
    return x < 1.0 ? 1.0 - x : 0.0;
}

/* Bilinear weights with PIL's antialiasing: when shrinking by a factor s the
 * triangle is stretched to cover s source pixels on each side. */
static int axis_weights_make(int in_size, int out_size, axis_weights *a)
{
    double scale = (double)in_size / out_size;
    double stretch = scale < 1.0 ? 1.0 : scale;
    double support = stretch; /* the triangle's support is 1 */
    /* Multiplying by the reciprocal (not dividing) keeps PIL's rounding. */
    double inv_stretch = 1.0 / stretch;
    double *tmp;
    int i, j;

    memset(a, 0, sizeof *a);
    a->taps = (int)ceil(support) * 2 + 1;
    a->first = malloc(sizeof(int) * (size_t)out_size);
    a->count = malloc(sizeof(int) * (size_t)out_size);
    a->weight = malloc(sizeof(int32_t) * (size_t)out_size * (size_t)a->taps);
    tmp = malloc(sizeof(double) * (size_t)a->taps);
    if (a->first == NULL || a->count == NULL || a->weight == NULL || tmp == NULL) {
        free(tmp);
        axis_weights_free(a);
        return -1;
    }
    for (i = 0; i < out_size; i++) {
        double center = (i + 0.5) * scale;
        double total = 0.0;
        /* (int) truncates toward zero like PIL's cast; clamped just after. */
        int lo = (int)(center - support + 0.5);
        int hi = (int)(center + support + 0.5);
        int32_t *w = a->weight + (size_t)i * (size_t)a->taps;
        if (lo < 0)
            lo = 0;
        if (hi > in_size)
            hi = in_size;
        if (hi - lo > a->taps)
            hi = lo + a->taps;
        for (j = 0; j < hi - lo; j++) {
            tmp[j] = triangle((j + lo - center + 0.5) * inv_stretch);
            total += tmp[j];
        }
        for (j = 0; j < hi - lo; j++) {
            double v = total != 0.0 ? tmp[j] / total : 0.0;
            w[j] = (int32_t)(v < 0 ? v * (1 << RESAMPLE_BITS) - 0.5
                                   : v * (1 << RESAMPLE_BITS) + 0.5);
        }
        a->first[i] = lo;
        a->count[i] = hi - lo;
    }
    free(tmp);
    return 0;
}

static unsigned char fixed_to_u8(int64_t acc)
{
    acc >>= RESAMPLE_BITS;
    return (unsigned char)(acc < 0 ? 0 : acc > 255 ? 255 : acc);
}

/* Resamples along x (horizontal) or y; src is sw x sh, dst is dw x dh where
 * only the resampled axis differs. */
static void resample_axis(const unsigned char *src, int sw, int sh, unsigned char *dst, int dw,
                          int dh, const axis_weights *a, int horizontal)
{
    int x, y, c, k;
    for (y = 0; y < dh; y++) {
        for (x = 0; x < dw; x++) {
            int i = horizontal ? x : y;
            const int32_t *w = a->weight + (size_t)i * (size_t)a->taps;
            for (c = 0; c < 3; c++) {
                int64_t acc = (int64_t)1 << (RESAMPLE_BITS - 1);
                for (k = 0; k < a->count[i]; k++) {
                    int sx = horizontal ? a->first[i] + k : x;
                    int sy = horizontal ? y : a->first[i] + k;
                    acc += (int64_t)src[((size_t)sy * (size_t)sw + (size_t)sx) * 3 + (size_t)c] *
                           w[k];
                }
                dst[((size_t)y * (size_t)dw + (size_t)x) * 3 + (size_t)c] = fixed_to_u8(acc);
            }
        }
    }
    (void)sh;
}

/* One pass along one axis from src (sw x sh) into a new buffer. */
static unsigned char *resample_pass(const unsigned char *src, int sw, int sh, int dw, int dh,
                                   int horizontal)
{
    axis_weights a;
    unsigned char *dst = malloc((size_t)dw * (size_t)dh * 3);
    if (dst == NULL)
        return NULL;
    if (horizontal ? axis_weights_make(sw, dw, &a) : axis_weights_make(sh, dh, &a)) {
        free(dst);
        return NULL;
    }
    resample_axis(src, sw, sh, dst, dw, dh, &a, horizontal);
    axis_weights_free(&a);
    return dst;
}

int prep_resize(const rgb_image *in, int out_w, int out_h, rgb_image *out, char *err,
                size_t errlen)
{
    int need_x = out_w != in->width, need_y = out_h != in->height;
    unsigned char *mid = NULL, *dst;

    memset(out, 0, sizeof *out);
    if (out_w <= 0 || out_h <= 0 || in->width <= 0 || in->height <= 0)
        return prep_fail(err, errlen, "resize: empty image or target size");
    if ((uint64_t)out_w * (uint64_t)out_h > IMAGE_DEFAULT_MAX_PIXELS ||
        (uint64_t)out_w * (uint64_t)in->height > IMAGE_DEFAULT_MAX_PIXELS ||
        (uint64_t)in->width * (uint64_t)out_h > IMAGE_DEFAULT_MAX_PIXELS)
        return prep_fail(err, errlen, "resize: target size too large");

    /* Two passes, each rounding to 8 bits: the intermediate rounding is part
     * of the result being reproduced, and so is the order. PIL resamples
     * horizontally first, except (since Pillow 13) when the height shrinks
     * by more than twice as many pixels as the width does. */
    if (need_x && need_y && out_h < in->height &&
        in->height - out_h > 2 * (in->width - out_w)) {
        mid = resample_pass(in->pixels, in->width, in->height, in->width, out_h, 0);
        dst = mid ? resample_pass(mid, in->width, out_h, out_w, out_h, 1) : NULL;
    } else if (need_x && need_y) {
        mid = resample_pass(in->pixels, in->width, in->height, out_w, in->height, 1);
        dst = mid ? resample_pass(mid, out_w, in->height, out_w, out_h, 0) : NULL;
    } else if (need_x || need_y) {
        dst = resample_pass(in->pixels, in->width, in->height, out_w, out_h, need_x);
    } else {
        dst = malloc((size_t)out_w * (size_t)out_h * 3);
        if (dst != NULL)
            memcpy(dst, in->pixels, (size_t)out_w * (size_t)out_h * 3);
    }
    free(mid);
    if (dst == NULL)
        return prep_fail(err, errlen, "resize: out of memory");
    out->width = out_w;
    out->height = out_h;
    out->pixels = dst;
    return 0;
}

/* Python's round(d / 2) for a non-negative integer d: halves go to even. */
static int half_round_even(int d)
{
    int half = d / 2;
    if (d % 2 == 0)
        return half;
    return half % 2 == 0 ? half : half + 1;
}

/* Offset of a crop of size `crop` in an image of size `size`. torchvision
 * first pads a too-small image by (crop - size) // 2 on the leading side,
 * then crops from offset round((padded - crop) / 2) == 0, so the crop starts
 * that many pixels before the image. */
static int crop_offset(int size, int crop)
{
    if (crop > size)
        return -((crop - size) / 2);
    return half_round_even(size - crop);
}

int prep_center_crop(const rgb_image *in, int crop_h, int crop_w, rgb_image *out, char *err,
                     size_t errlen)
{
    int top, left, y, x;
    unsigned char *dst;

    memset(out, 0, sizeof *out);
    if (crop_h <= 0 || crop_w <= 0)
        return prep_fail(err, errlen, "crop: size must be positive");
    if ((uint64_t)crop_w * (uint64_t)crop_h > IMAGE_DEFAULT_MAX_PIXELS)
        return prep_fail(err, errlen, "crop: size too large");
    dst = calloc((size_t)crop_w * (size_t)crop_h, 3);
    if (dst == NULL)
        return prep_fail(err, errlen, "crop: out of memory");
    top = crop_offset(in->height, crop_h);
    left = crop_offset(in->width, crop_w);
    for (y = 0; y < crop_h; y++) {
        int sy = top + y;
        if (sy < 0 || sy >= in->height)
            continue;
        for (x = 0; x < crop_w; x++) {
            int sx = left + x;
            if (sx < 0 || sx >= in->width)
                continue;
            memcpy(dst + ((size_t)y * (size_t)crop_w + (size_t)x) * 3,
                   in->pixels + ((size_t)sy * (size_t)in->width + (size_t)sx) * 3, 3);
        }
    }
    out->width = crop_w;
    out->height = crop_h;
    out->pixels = dst;
    return 0;
}

/* Lays out pixels as a batch-1 tensor. Tensor channel t holds colour
 * t (RGB) or 2 - t (BGR); mean and std are indexed by colour. */
static int pixels_to_tensor(const rgb_image *img, const prep_params *p, mobinfer_dtype dtype,
                            cli_tensor *out, char *err, size_t errlen)
{
    size_t hw = (size_t)img->width * (size_t)img->height, i;
    size_t esize = dtype == MOBINFER_DTYPE_FLOAT32 ? 4 : 1;
    int t;

    out->dtype = dtype;
    out->rank = 4;
    out->dims[0] = 1;
    if (p->layout == PREP_LAYOUT_NHWC) {
        out->dims[1] = img->height;
        out->dims[2] = img->width;
        out->dims[3] = 3;
    } else {
        out->dims[1] = 3;
        out->dims[2] = img->height;
        out->dims[3] = img->width;
    }
    out->byte_size = hw * 3 * esize;
    out->data = malloc(out->byte_size);
    if (out->data == NULL)
        return prep_fail(err, errlen, "preprocess: out of memory");
    for (t = 0; t < 3; t++) {
        int colour = p->bgr ? 2 - t : t;
        for (i = 0; i < hw; i++) {
            size_t dst = p->layout == PREP_LAYOUT_NHWC ? i * 3 + (size_t)t : (size_t)t * hw + i;
            unsigned char px = img->pixels[i * 3 + (size_t)colour];
            if (dtype == MOBINFER_DTYPE_FLOAT32)
                ((float *)out->data)[dst] = ((float)px - p->mean[colour]) / p->std[colour];
            else
                ((unsigned char *)out->data)[dst] = px;
        }
    }
    return 0;
}

int prep_image_to_tensor(const rgb_image *image, const prep_params *params,
                         mobinfer_dtype dtype, cli_tensor *out, char *err, size_t errlen)
{
    rgb_image resized = {0, 0, NULL}, cropped = {0, 0, NULL};
    const rgb_image *cur = image;
    int rc = -1;

    memset(out, 0, sizeof *out);
    if (dtype != MOBINFER_DTYPE_FLOAT32 && dtype != MOBINFER_DTYPE_UINT8)
        return prep_fail(err, errlen,
                         "images can only feed float32 or uint8 inputs; use a .npy file");
    if (dtype == MOBINFER_DTYPE_FLOAT32 &&
        (params->std[0] == 0.0f || params->std[1] == 0.0f || params->std[2] == 0.0f))
        return prep_fail(err, errlen, "preprocess: std must not be zero");
    if (params->resize > 0) {
        int w, h;
        if (prep_resize_size(cur->width, cur->height, params->resize, &w, &h) != 0)
            return prep_fail(err, errlen, "resize: target size out of range");
        /* torchvision leaves an image whose shorter side already fits alone. */
        if (w != cur->width || h != cur->height) {
            if (prep_resize(cur, w, h, &resized, err, errlen) != 0)
                goto done;
            cur = &resized;
        }
    }
    if (params->crop_h > 0 && params->crop_w > 0 &&
        (params->crop_h != cur->height || params->crop_w != cur->width)) {
        if (prep_center_crop(cur, params->crop_h, params->crop_w, &cropped, err, errlen) != 0)
            goto done;
        cur = &cropped;
    }
    rc = pixels_to_tensor(cur, params, dtype, out, err, errlen);
done:
    rgb_image_free(&resized);
    rgb_image_free(&cropped);
    return rc;
}
