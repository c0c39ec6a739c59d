#include "ocr_geom.h"

#include <math.h>
#include <stdlib.h>

static int cmp_xy(const void *a, const void *b)
{
    const ocr_pt *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return 0;
}

static double cross(ocr_pt o, ocr_pt a, ocr_pt b)
{
    return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
}

int ocr_convex_hull(ocr_pt *pts, int n, ocr_pt *hull)
{
    if (n < 3) {
        for (int i = 0; i < n; i++)
            hull[i] = pts[i];
        return n;
    }
    qsort(pts, (size_t)n, sizeof *pts, cmp_xy);
    /* Andrew's monotone chain: lower hull left to right, upper right to left. */
    int k = 0;
    for (int i = 0; i < n; i++) {
        while (k >= 2 && cross(hull[k - 2], hull[k - 1], pts[i]) <= 0)
            k--;
        hull[k++] = pts[i];
    }
    for (int i = n - 2, lower = k + 1; i >= 0; i--) {
        while (k >= lower && cross(hull[k - 2], hull[k - 1], pts[i]) <= 0)
            k--;
        hull[k++] = pts[i];
    }
    return k - 1; /* the first point was repeated at the end */
}

void ocr_min_area_rect(const ocr_pt *hull, int n, ocr_pt corners[4], double *side_a,
                       double *side_b)
{
    if (n == 1) {
        corners[0] = corners[1] = corners[2] = corners[3] = hull[0];
        *side_a = *side_b = 0;
        return;
    }
    double best = INFINITY;
    /* One side of the optimal rectangle lies on a hull edge; the hulls here
     * have a few hundred points at most, so trying every edge is cheap. */
    int edges = n == 2 ? 1 : n;
    for (int e = 0; e < edges; e++) {
        ocr_pt a = hull[e], b = hull[(e + 1) % n];
        double len = hypot(b.x - a.x, b.y - a.y);
        if (len == 0)
            continue;
        double ux = (b.x - a.x) / len, uy = (b.y - a.y) / len;
        double vx = -uy, vy = ux;
        double umin = INFINITY, umax = -INFINITY, vmin = INFINITY, vmax = -INFINITY;
        for (int i = 0; i < n; i++) {
            double pu = hull[i].x * ux + hull[i].y * uy;
            double pv = hull[i].x * vx + hull[i].y * vy;
            umin = fmin(umin, pu), umax = fmax(umax, pu);
            vmin = fmin(vmin, pv), vmax = fmax(vmax, pv);
        }
        double area = (umax - umin) * (vmax - vmin);
        if (area < best) {
            best = area;
            double us[4] = {umin, umax, umax, umin}, vs[4] = {vmin, vmin, vmax, vmax};
            for (int c = 0; c < 4; c++) {
                corners[c].x = us[c] * ux + vs[c] * vx;
                corners[c].y = us[c] * uy + vs[c] * vy;
            }
            *side_a = umax - umin;
            *side_b = vmax - vmin;
        }
    }
    if (best == INFINITY) { /* all points equal */
        corners[0] = corners[1] = corners[2] = corners[3] = hull[0];
        *side_a = *side_b = 0;
    }
}

/* Insertion sort by x that keeps the incoming order of ties, like Python's
 * sorted() on four points. */
static void sort_by_x(ocr_pt p[4])
{
    for (int i = 1; i < 4; i++)
        for (int j = i; j > 0 && p[j].x < p[j - 1].x; j--) {
            ocr_pt t = p[j];
            p[j] = p[j - 1];
            p[j - 1] = t;
        }
}

void ocr_order_mini_box(ocr_pt box[4])
{
    ocr_pt p[4] = {box[0], box[1], box[2], box[3]};
    sort_by_x(p);
    int i1 = p[1].y > p[0].y ? 0 : 1, i4 = 1 - i1;
    int i2 = p[3].y > p[2].y ? 2 : 3, i3 = 5 - i2;
    box[0] = p[i1];
    box[1] = p[i2];
    box[2] = p[i3];
    box[3] = p[i4];
}

void ocr_order_clockwise(ocr_pt box[4])
{
    ocr_pt p[4] = {box[0], box[1], box[2], box[3]};
    sort_by_x(p);
    int left_top = p[1].y < p[0].y ? 1 : 0;
    int right_top = p[3].y < p[2].y ? 3 : 2;
    box[0] = p[left_top];
    box[1] = p[right_top];
    box[2] = p[5 - right_top];
    box[3] = p[1 - left_top];
}
