#include "ops/ref/copy_ref.h"

#include <string.h>

/* Copies n elements spaced `stride` apart in src to consecutive dst. A
 * constant elem_size per branch lets the compiler turn memcpy into moves. */
static void copy_row(size_t elem_size, int64_t n, const char *src, int64_t stride, char *dst)
{
    if (stride == 1) {
        memcpy(dst, src, (size_t)n * elem_size);
        return;
    }
    switch (elem_size) {
    case 1:
        for (int64_t i = 0; i < n; i++)
            dst[i] = src[i * stride];
        break;
    case 2:
        for (int64_t i = 0; i < n; i++)
            memcpy(dst + i * 2, src + i * stride * 2, 2);
        break;
    case 4:
        for (int64_t i = 0; i < n; i++)
            memcpy(dst + i * 4, src + i * stride * 4, 4);
        break;
    case 8:
        for (int64_t i = 0; i < n; i++)
            memcpy(dst + i * 8, src + i * stride * 8, 8);
        break;
    default:
        for (int64_t i = 0; i < n; i++)
            memcpy(dst + (size_t)i * elem_size, src + i * stride * (int64_t)elem_size, elem_size);
        break;
    }
}

/* batch matrices of rows x cols 4-byte elements, each transposed. */
static void transpose_tiles32(int64_t batch, int64_t rows, int64_t cols, const void *src,
                              void *dst)
{
    enum { TILE = 16 };
    const uint32_t *in = src;
    uint32_t *out = dst;
    if (rows <= 4) {
        /* Interleaving a few rows (a channel shuffle's [groups][C/groups]
         * per pixel): one pass per output element, no tiles. */
        for (int64_t b = 0; b < batch; b++, in += rows * cols, out += rows * cols)
            for (int64_t c = 0; c < cols; c++)
                for (int64_t r = 0; r < rows; r++)
                    out[c * rows + r] = in[r * cols + c];
        return;
    }
    for (int64_t b = 0; b < batch; b++, in += rows * cols, out += rows * cols)
        for (int64_t r0 = 0; r0 < rows; r0 += TILE) {
            int64_t r1 = r0 + TILE < rows ? r0 + TILE : rows;
            for (int64_t c0 = 0; c0 < cols; c0 += TILE) {
                int64_t c1 = c0 + TILE < cols ? c0 + TILE : cols;
                for (int64_t c = c0; c < c1; c++)
                    for (int64_t r = r0; r < r1; r++)
                        out[c * rows + r] = in[r * cols + c];
            }
        }
}

void mbi_ref_strided_copy(size_t elem_size, int rank, const int64_t *dims,
                          const int64_t *strides, const void *src, void *dst)
{
    int64_t d[MBI_REF_COPY_MAX_RANK], s[MBI_REF_COPY_MAX_RANK];
    int n = 0;
    if (rank < 0 || rank > MBI_REF_COPY_MAX_RANK)
        return;
    for (int i = 0; i < rank; i++)
        if (dims[i] == 0)
            return;
    /* Drop size-1 axes and merge an axis into the one inside it when the
     * source is contiguous across them; rows then get as long as possible. */
    for (int i = 0; i < rank; i++) {
        if (dims[i] == 1)
            continue;
        d[n] = dims[i];
        s[n] = strides[i];
        n++;
    }
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (m > 0 && s[m - 1] == s[i] * d[i]) {
            d[m - 1] *= d[i];
            s[m - 1] = s[i];
            continue;
        }
        d[m] = d[i];
        s[m] = s[i];
        m++;
    }
    if (m == 0) {
        memcpy(dst, src, elem_size);
        return;
    }
    /* [batch][rows][cols] -> [batch][cols][rows] (the NCHW <-> NHWC
     * conversions and channel shuffles): tiles keep both sides in cache. */
    if (elem_size == 4 && m >= 2 && m <= 3 && s[m - 2] == 1 && s[m - 1] == d[m - 2] &&
        (m == 2 || s[0] == d[1] * d[2])) {
        transpose_tiles32(m == 3 ? d[0] : 1, d[m - 1], d[m - 2], src, dst);
        return;
    }

    const char *in = src;
    char *out = dst;
    int64_t idx[MBI_REF_COPY_MAX_RANK] = {0};
    int64_t off = 0; /* source element offset of the current row */
    int64_t row = d[m - 1];
    for (;;) {
        copy_row(elem_size, row, in + off * (int64_t)elem_size, s[m - 1], out);
        out += (size_t)row * elem_size;
        int k = m - 2;
        for (; k >= 0; k--) {
            idx[k]++;
            off += s[k];
            if (idx[k] < d[k])
                break;
            off -= s[k] * d[k];
            idx[k] = 0;
        }
        if (k < 0)
            return;
    }
}

void mbi_ref_copy_rows(size_t elem_size, int64_t rows, int64_t row_elems, const void *src,
                       int64_t src_stride, void *dst, int64_t dst_stride)
{
    const char *in = src;
    char *out = dst;
    size_t row_bytes = (size_t)row_elems * elem_size;
    if (row_bytes == 0)
        return;
    for (int64_t r = 0; r < rows; r++)
        memcpy(out + (size_t)(r * dst_stride) * elem_size,
               in + (size_t)(r * src_stride) * elem_size, row_bytes);
}

void mbi_ref_fill(size_t elem_size, int64_t n, const void *value, void *dst)
{
    char *out = dst;
    if (n <= 0)
        return;
    if (elem_size == 1) {
        memset(dst, *(const unsigned char *)value, (size_t)n);
        return;
    }
    memcpy(out, value, elem_size);
    /* Doubling copies: each memcpy copies what is already written. */
    int64_t done = 1;
    while (done < n) {
        int64_t k = done < n - done ? done : n - done;
        memcpy(out + (size_t)done * elem_size, out, (size_t)k * elem_size);
        done += k;
    }
}
