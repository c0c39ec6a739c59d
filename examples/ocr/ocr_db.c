#include "ocr_db.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ocr_geom.h"

void ocr_db_params_default(ocr_db_params *p)
{
    p->thresh = 0.3f;
    p->box_thresh = 0.5f;
    p->unclip_ratio = 1.6f;
    p->max_candidates = 1000;
    p->use_dilation = 1;
}

/* Working memory of one call, freed together. */
typedef struct db_work {
    uint8_t *mask;  /* 0 background, 1 text, 2 text already in a region */
    int *stack;     /* pixels waiting in the flood fill                   */
    int *row_min;   /* leftmost and rightmost pixel of each row of a region */
    int *row_max;
    ocr_pt *pts;    /* two extreme pixels per row: their hull is the region's */
    ocr_pt *hull;
} db_work;

static void work_free(db_work *w)
{
    free(w->mask);
    free(w->stack);
    free(w->row_min);
    free(w->row_max);
    free(w->pts);
    free(w->hull);
}

static int work_alloc(db_work *w, int h, int wd)
{
    size_t n = (size_t)h * (size_t)wd;
    memset(w, 0, sizeof *w);
    w->mask = malloc(n);
    w->stack = malloc(n * sizeof *w->stack);
    w->row_min = malloc((size_t)h * sizeof *w->row_min);
    w->row_max = malloc((size_t)h * sizeof *w->row_max);
    w->pts = malloc((size_t)h * 2 * sizeof *w->pts);
    w->hull = malloc(((size_t)h * 2 + 1) * sizeof *w->hull);
    if (!w->mask || !w->stack || !w->row_min || !w->row_max || !w->pts || !w->hull) {
        work_free(w);
        return -1;
    }
    return 0;
}

static void binarize(const float *prob, int h, int w, float thresh, int dilate, uint8_t *mask)
{
    size_t n = (size_t)h * (size_t)w;
    for (size_t i = 0; i < n; i++)
        mask[i] = prob[i] > thresh;
    if (!dilate)
        return;
    /* A pixel is set when it or its left, upper or upper-left neighbour is
     * (OpenCV's 2x2 kernel anchored at its lower-right cell). Going backwards
     * in place reads only pixels not yet written. */
    for (int y = h - 1; y >= 0; y--)
        for (int x = w - 1; x >= 0; x--) {
            uint8_t *m = mask + (size_t)y * w + x;
            uint8_t v = *m;
            if (x > 0)
                v |= m[-1];
            if (y > 0) {
                v |= m[-w];
                if (x > 0)
                    v |= m[-w - 1];
            }
            *m = v;
        }
}

/* Collects the 8-connected region holding pixel `seed` and returns the hull
 * of its pixel centres in w->hull (the count is returned). */
static int region_hull(db_work *w, int h, int wd, int seed)
{
    int top = 0, ymin = seed / wd, ymax = ymin;
    w->row_min[ymin] = w->row_max[ymin] = seed % wd;
    w->mask[seed] = 2;
    w->stack[top++] = seed;
    while (top > 0) {
        int p = w->stack[--top];
        int py = p / wd, px = p % wd;
        for (int dy = -1; dy <= 1; dy++) {
            int y = py + dy;
            if (y < 0 || y >= h)
                continue;
            for (int dx = -1; dx <= 1; dx++) {
                int x = px + dx;
                if (x < 0 || x >= wd || w->mask[(size_t)y * wd + x] != 1)
                    continue;
                w->mask[(size_t)y * wd + x] = 2;
                w->stack[top++] = y * wd + x;
                /* Rows join the region one at a time next to ones it has. */
                if (y < ymin || y > ymax) {
                    if (y < ymin)
                        ymin = y;
                    else
                        ymax = y;
                    w->row_min[y] = w->row_max[y] = x;
                } else {
                    if (x < w->row_min[y])
                        w->row_min[y] = x;
                    if (x > w->row_max[y])
                        w->row_max[y] = x;
                }
            }
        }
    }
    int n = 0;
    for (int y = ymin; y <= ymax; y++) {
        w->pts[n++] = (ocr_pt){w->row_min[y], y};
        if (w->row_max[y] != w->row_min[y])
            w->pts[n++] = (ocr_pt){w->row_max[y], y};
    }
    return ocr_convex_hull(w->pts, n, w->hull);
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Mean probability over the pixels of the box as OpenCV's fillPoly would
 * rasterise it: corners truncated to integers relative to the bounding box,
 * edges included. */
static float box_score(const float *prob, int h, int w, const ocr_pt box[4])
{
    double minx = box[0].x, maxx = minx, miny = box[0].y, maxy = miny;
    for (int i = 1; i < 4; i++) {
        minx = fmin(minx, box[i].x), maxx = fmax(maxx, box[i].x);
        miny = fmin(miny, box[i].y), maxy = fmax(maxy, box[i].y);
    }
    int x0 = clampi((int)floor(minx), 0, w - 1), x1 = clampi((int)ceil(maxx), 0, w - 1);
    int y0 = clampi((int)floor(miny), 0, h - 1), y1 = clampi((int)ceil(maxy), 0, h - 1);
    long qx[4], qy[4];
    for (int i = 0; i < 4; i++) {
        qx[i] = (long)(box[i].x - x0);
        qy[i] = (long)(box[i].y - y0);
    }
    long area2 = 0;
    for (int i = 0; i < 4; i++)
        area2 += qx[i] * qy[(i + 1) % 4] - qx[(i + 1) % 4] * qy[i];
    long sign = area2 > 0 ? 1 : area2 < 0 ? -1 : 0;
    double sum = 0;
    long count = 0;
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            long lx = x - x0, ly = y - y0;
            int inside = 1;
            for (int i = 0; i < 4 && inside; i++) {
                int j = (i + 1) % 4;
                long c = (qx[j] - qx[i]) * (ly - qy[i]) - (qy[j] - qy[i]) * (lx - qx[i]);
                /* A flat polygon covers only its outline. */
                inside = sign ? c * sign >= 0 : c == 0;
            }
            if (inside) {
                sum += prob[(size_t)y * w + x];
                count++;
            }
        }
    return count ? (float)(sum / count) : 0.0f;
}

/* Grows a rectangle (corners in order round it) by d on every side: the
 * minimum-area rectangle around PaddleOCR's round-joined polygon offset. */
static void unclip_rect(ocr_pt box[4], double d, double *short_side)
{
    double la = hypot(box[1].x - box[0].x, box[1].y - box[0].y);
    double lb = hypot(box[3].x - box[0].x, box[3].y - box[0].y);
    double ux = (box[1].x - box[0].x) / la, uy = (box[1].y - box[0].y) / la;
    double vx = (box[3].x - box[0].x) / lb, vy = (box[3].y - box[0].y) / lb;
    static const double su[4] = {-1, 1, 1, -1}, sv[4] = {-1, -1, 1, 1};
    for (int i = 0; i < 4; i++) {
        box[i].x += d * (su[i] * ux + sv[i] * vx);
        box[i].y += d * (su[i] * uy + sv[i] * vy);
    }
    *short_side = fmin(la, lb) + 2 * d;
}

int ocr_db_boxes(const float *prob, int map_h, int map_w, int dest_w, int dest_h,
                 const ocr_db_params *p, ocr_box **boxes, int *count)
{
    const double min_size = 3;
    *boxes = NULL;
    *count = 0;
    if (map_h <= 0 || map_w <= 0 || dest_w <= 0 || dest_h <= 0)
        return 0;
    if ((size_t)map_h * (size_t)map_w > (size_t)INT32_MAX)
        return -1;
    db_work w;
    if (work_alloc(&w, map_h, map_w) != 0)
        return -1;
    binarize(prob, map_h, map_w, p->thresh, p->use_dilation, w.mask);
    ocr_box *out = NULL;
    int n_out = 0, cap = 0, regions = 0;
    size_t npx = (size_t)map_h * (size_t)map_w;
    for (size_t seed = 0; seed < npx && regions < p->max_candidates; seed++) {
        if (w.mask[seed] != 1)
            continue;
        regions++;
        int nh = region_hull(&w, map_h, map_w, (int)seed);
        ocr_pt box[4];
        double sa, sb;
        ocr_min_area_rect(w.hull, nh, box, &sa, &sb);
        if (fmin(sa, sb) < min_size)
            continue;
        ocr_order_mini_box(box);
        float score = box_score(prob, map_h, map_w, box);
        if (p->box_thresh > score)
            continue;
        double area = sa * sb, perimeter = 2 * (sa + sb), short_side;
        unclip_rect(box, area * p->unclip_ratio / perimeter, &short_side);
        if (short_side < min_size + 2)
            continue;
        ocr_order_mini_box(box);
        for (int i = 0; i < 4; i++) {
            box[i].x = fmin(fmax(nearbyint(box[i].x / map_w * dest_w), 0), dest_w);
            box[i].y = fmin(fmax(nearbyint(box[i].y / map_h * dest_h), 0), dest_h);
        }
        ocr_order_clockwise(box);
        for (int i = 0; i < 4; i++) {
            box[i].x = (int)fmin(fmax(box[i].x, 0), dest_w - 1);
            box[i].y = (int)fmin(fmax(box[i].y, 0), dest_h - 1);
        }
        if ((int)hypot(box[1].x - box[0].x, box[1].y - box[0].y) <= 3 ||
            (int)hypot(box[3].x - box[0].x, box[3].y - box[0].y) <= 3)
            continue;
        if (n_out == cap) {
            int ncap = cap ? cap * 2 : 16;
            ocr_box *grown = realloc(out, (size_t)ncap * sizeof *grown);
            if (grown == NULL) {
                free(out);
                work_free(&w);
                return -1;
            }
            out = grown;
            cap = ncap;
        }
        for (int i = 0; i < 4; i++) {
            out[n_out].pt[i][0] = (float)box[i].x;
            out[n_out].pt[i][1] = (float)box[i].y;
        }
        out[n_out].score = score;
        n_out++;
    }
    work_free(&w);
    *boxes = out;
    *count = n_out;
    return 0;
}

void ocr_sort_boxes(ocr_box *b, int n)
{
    /* Insertion sort: stable like Python's, and pages have few lines. */
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0; j--) {
            float ya = b[j - 1].pt[0][1], yb = b[j].pt[0][1];
            if (yb < ya || (yb == ya && b[j].pt[0][0] < b[j - 1].pt[0][0])) {
                ocr_box t = b[j];
                b[j] = b[j - 1];
                b[j - 1] = t;
            } else {
                break;
            }
        }
    /* Then boxes on about the same line (tops within 10 px) left to right. */
    for (int i = 0; i + 1 < n; i++)
        for (int j = i; j >= 0; j--) {
            if (fabsf(b[j + 1].pt[0][1] - b[j].pt[0][1]) < 10 && b[j + 1].pt[0][0] < b[j].pt[0][0]) {
                ocr_box t = b[j];
                b[j] = b[j + 1];
                b[j + 1] = t;
            } else {
                break;
            }
        }
}
