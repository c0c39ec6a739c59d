#include "ocr_warp.h"

#include <math.h>
#include <string.h>

int ocr_homography(const double from[4][2], const double to[4][2], double h[9])
{
    /* Two equations per correspondence in the eight unknowns h0..h7:
     *   h0 x + h1 y + h2 - h6 x X - h7 y X = X
     *   h3 x + h4 y + h5 - h6 x Y - h7 y Y = Y */
    double a[8][9];
    memset(a, 0, sizeof a);
    for (int i = 0; i < 4; i++) {
        double x = from[i][0], y = from[i][1], X = to[i][0], Y = to[i][1];
        double *r0 = a[2 * i], *r1 = a[2 * i + 1];
        r0[0] = x, r0[1] = y, r0[2] = 1, r0[6] = -x * X, r0[7] = -y * X, r0[8] = X;
        r1[3] = x, r1[4] = y, r1[5] = 1, r1[6] = -x * Y, r1[7] = -y * Y, r1[8] = Y;
    }
    for (int col = 0; col < 8; col++) {
        int piv = col;
        for (int r = col + 1; r < 8; r++)
            if (fabs(a[r][col]) > fabs(a[piv][col]))
                piv = r;
        if (fabs(a[piv][col]) < 1e-12)
            return -1;
        if (piv != col)
            for (int k = 0; k < 9; k++) {
                double t = a[col][k];
                a[col][k] = a[piv][k];
                a[piv][k] = t;
            }
        for (int r = 0; r < 8; r++) {
            if (r == col)
                continue;
            double f = a[r][col] / a[col][col];
            for (int k = col; k < 9; k++)
                a[r][k] -= f * a[col][k];
        }
    }
    for (int i = 0; i < 8; i++)
        h[i] = a[i][8] / a[i][i];
    h[8] = 1.0;
    return 0;
}

/* Keys' cubic convolution weights with a = -0.75, OpenCV's INTER_CUBIC. */
static void cubic_weights(float t, float w[4])
{
    const float A = -0.75f;
    float t1 = t + 1.0f, u = 1.0f - t;
    w[0] = ((A * t1 - 5.0f * A) * t1 + 8.0f * A) * t1 - 4.0f * A;
    w[1] = ((A + 2.0f) * t - (A + 3.0f)) * t * t + 1.0f;
    w[2] = ((A + 2.0f) * u - (A + 3.0f)) * u * u + 1.0f;
    w[3] = 1.0f - w[0] - w[1] - w[2];
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void sample_cubic(const ocr_img *img, double x, double y, uint8_t out[3])
{
    /* Far outside the page every tap is a border pixel anyway; clamping keeps
     * the int conversion defined. */
    x = fmin(fmax(x, -4.0), img->width + 4.0);
    y = fmin(fmax(y, -4.0), img->height + 4.0);
    int x0 = (int)floor(x), y0 = (int)floor(y);
    float wx[4], wy[4];
    cubic_weights((float)(x - x0), wx);
    cubic_weights((float)(y - y0), wy);
    int xs[4];
    for (int i = 0; i < 4; i++)
        xs[i] = clampi(x0 - 1 + i, 0, img->width - 1);
    float acc[3] = {0, 0, 0};
    for (int j = 0; j < 4; j++) {
        const uint8_t *row = img->px + (size_t)clampi(y0 - 1 + j, 0, img->height - 1) * img->width * 3;
        for (int i = 0; i < 4; i++) {
            float w = wx[i] * wy[j];
            const uint8_t *p = row + 3 * xs[i];
            acc[0] += w * p[0];
            acc[1] += w * p[1];
            acc[2] += w * p[2];
        }
    }
    for (int c = 0; c < 3; c++)
        out[c] = acc[c] <= 0.0f ? 0 : acc[c] >= 255.0f ? 255 : (uint8_t)lrintf(acc[c]);
}

static double dist(const float a[2], const float b[2])
{
    return hypot((double)a[0] - b[0], (double)a[1] - b[1]);
}

int ocr_crop_quad(const ocr_img *img, const float quad[4][2], ocr_img *out)
{
    double w = fmax(dist(quad[0], quad[1]), dist(quad[2], quad[3]));
    double h = fmax(dist(quad[0], quad[3]), dist(quad[1], quad[2]));
    if (!(w >= 1.0 && h >= 1.0) || w > 1e6 || h > 1e6)
        return -1;
    int cw = (int)w, ch = (int)h;
    /* Maps the rectangle's pixels back into the page (the inverse of the
     * page-to-rectangle transform OpenCV builds, so no inversion is needed). */
    const double rect[4][2] = {{0, 0}, {cw, 0}, {cw, ch}, {0, ch}};
    double src[4][2];
    for (int i = 0; i < 4; i++) {
        src[i][0] = quad[i][0];
        src[i][1] = quad[i][1];
    }
    double m[9];
    if (ocr_homography(rect, src, m) != 0)
        return -1;
    ocr_img crop;
    if (ocr_img_alloc(&crop, cw, ch) != 0)
        return -1;
    for (int v = 0; v < ch; v++)
        for (int u = 0; u < cw; u++) {
            double d = m[6] * u + m[7] * v + m[8];
            double x = 0, y = 0;
            if (fabs(d) > 1e-12) {
                x = (m[0] * u + m[1] * v + m[2]) / d;
                y = (m[3] * u + m[4] * v + m[5]) / d;
            }
            sample_cubic(img, x, y, crop.px + ((size_t)v * cw + u) * 3);
        }
    if ((double)ch / cw >= 1.5) {
        int rc = ocr_img_rotate90_ccw(&crop, out);
        ocr_img_free(&crop);
        return rc;
    }
    *out = crop;
    return 0;
}
