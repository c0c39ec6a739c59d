#include "ocr_image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int ocr_img_alloc(ocr_img *img, int width, int height)
{
    img->width = 0;
    img->height = 0;
    img->px = NULL;
    if (width <= 0 || height <= 0 || (size_t)width > SIZE_MAX / 3 / (size_t)height)
        return -1;
    img->px = malloc((size_t)width * (size_t)height * 3);
    if (img->px == NULL)
        return -1;
    img->width = width;
    img->height = height;
    return 0;
}

void ocr_img_free(ocr_img *img)
{
    if (img == NULL)
        return;
    free(img->px);
    img->px = NULL;
    img->width = 0;
    img->height = 0;
}

int ocr_img_from_rgb(ocr_img *out, const uint8_t *rgb, int width, int height)
{
    if (ocr_img_alloc(out, width, height) != 0)
        return -1;
    size_t n = (size_t)width * (size_t)height;
    for (size_t i = 0; i < n; i++) {
        out->px[3 * i + 0] = rgb[3 * i + 2];
        out->px[3 * i + 1] = rgb[3 * i + 1];
        out->px[3 * i + 2] = rgb[3 * i + 0];
    }
    return 0;
}

/* Source index and weight of the right/lower neighbour for destination
 * coordinate d, OpenCV's way: centres aligned, clamped at both borders. */
static void linear_tap(int d, double scale, int src_len, int *i0, float *w1)
{
    double f = (d + 0.5) * scale - 0.5;
    int i = (int)floor(f);
    double frac = f - i;
    if (i < 0) {
        i = 0;
        frac = 0;
    }
    if (i >= src_len - 1) {
        i = src_len - 1;
        frac = 0;
    }
    *i0 = i;
    *w1 = (float)frac;
}

static uint8_t to_u8(float v)
{
    if (v <= 0.0f)
        return 0;
    if (v >= 255.0f)
        return 255;
    return (uint8_t)lrintf(v);
}

int ocr_img_resize(const ocr_img *src, int width, int height, ocr_img *out)
{
    if (ocr_img_alloc(out, width, height) != 0)
        return -1;
    int *xi = malloc(sizeof *xi * (size_t)width);
    float *xw = malloc(sizeof *xw * (size_t)width);
    if (xi == NULL || xw == NULL) {
        free(xi);
        free(xw);
        ocr_img_free(out);
        return -1;
    }
    double sx = (double)src->width / width, sy = (double)src->height / height;
    for (int x = 0; x < width; x++)
        linear_tap(x, sx, src->width, &xi[x], &xw[x]);
    for (int y = 0; y < height; y++) {
        int y0;
        float wy;
        linear_tap(y, sy, src->height, &y0, &wy);
        int y1 = y0 + 1 < src->height ? y0 + 1 : y0;
        const uint8_t *r0 = src->px + (size_t)y0 * src->width * 3;
        const uint8_t *r1 = src->px + (size_t)y1 * src->width * 3;
        uint8_t *o = out->px + (size_t)y * width * 3;
        for (int x = 0; x < width; x++) {
            int x0 = xi[x];
            int x1 = x0 + 1 < src->width ? x0 + 1 : x0;
            float wx = xw[x];
            for (int c = 0; c < 3; c++) {
                float top = r0[3 * x0 + c] + wx * (r0[3 * x1 + c] - r0[3 * x0 + c]);
                float bot = r1[3 * x0 + c] + wx * (r1[3 * x1 + c] - r1[3 * x0 + c]);
                o[3 * x + c] = to_u8(top + wy * (bot - top));
            }
        }
    }
    free(xi);
    free(xw);
    return 0;
}

int ocr_img_rotate90_ccw(const ocr_img *src, ocr_img *out)
{
    if (ocr_img_alloc(out, src->height, src->width) != 0)
        return -1;
    /* out(y, x) = src(x, W - 1 - y) */
    for (int y = 0; y < out->height; y++)
        for (int x = 0; x < out->width; x++)
            memcpy(out->px + ((size_t)y * out->width + x) * 3,
                   src->px + ((size_t)x * src->width + (src->width - 1 - y)) * 3, 3);
    return 0;
}

void ocr_img_rotate180(ocr_img *img)
{
    size_t n = (size_t)img->width * (size_t)img->height;
    for (size_t i = 0, j = n - 1; i < j; i++, j--) {
        uint8_t t[3];
        memcpy(t, img->px + 3 * i, 3);
        memcpy(img->px + 3 * i, img->px + 3 * j, 3);
        memcpy(img->px + 3 * j, t, 3);
    }
}

int ocr_img_pad_rows(const ocr_img *src, int rows, ocr_img *out)
{
    if (rows < 0 || src->height > INT32_MAX - 2 * rows ||
        ocr_img_alloc(out, src->width, src->height + 2 * rows) != 0)
        return -1;
    size_t row_bytes = (size_t)src->width * 3;
    memset(out->px, 0, row_bytes * (size_t)rows);
    memcpy(out->px + row_bytes * (size_t)rows, src->px, row_bytes * (size_t)src->height);
    memset(out->px + row_bytes * (size_t)(rows + src->height), 0, row_bytes * (size_t)rows);
    return 0;
}

void ocr_img_to_chw(const ocr_img *img, float *dst, int dst_width)
{
    size_t plane = (size_t)img->height * (size_t)dst_width;
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < img->height; y++) {
            float *o = dst + c * plane + (size_t)y * dst_width;
            const uint8_t *s = img->px + (size_t)y * img->width * 3 + c;
            for (int x = 0; x < img->width; x++)
                o[x] = (s[3 * x] / 255.0f - 0.5f) / 0.5f;
            for (int x = img->width; x < dst_width; x++)
                o[x] = 0.0f;
        }
}
