/*
 * Unit tests of the OCR pipeline's own processing, without the models:
 * geometry, DB box extraction on synthetic probability maps, the perspective
 * crop, CTC decoding, and the ONNX metadata reader.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr_ctc.h"
#include "ocr_db.h"
#include "ocr_geom.h"
#include "ocr_image.h"
#include "ocr_onnx_meta.h"
#include "ocr_warp.h"

static int passed, failed;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (cond) {                                                                   \
            passed++;                                                                 \
        } else {                                                                      \
            failed++;                                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                             \
    } while (0)

static int near(double a, double b, double tol)
{
    return fabs(a - b) <= tol;
}

static void test_hull_and_rect(void)
{
    /* Pixel centres of a 41 x 11 block: the rectangle spans 40 x 10. */
    ocr_pt pts[41 * 11], hull[41 * 11 + 1];
    int n = 0;
    for (int y = 5; y <= 15; y++)
        for (int x = 10; x <= 50; x++)
            pts[n++] = (ocr_pt){x, y};
    int h = ocr_convex_hull(pts, n, hull);
    CHECK(h == 4);
    ocr_pt box[4];
    double a, b;
    ocr_min_area_rect(hull, h, box, &a, &b);
    CHECK(near(fmin(a, b), 10, 1e-9) && near(fmax(a, b), 40, 1e-9));
    ocr_order_mini_box(box);
    CHECK(near(box[0].x, 10, 1e-9) && near(box[0].y, 5, 1e-9));
    CHECK(near(box[1].x, 50, 1e-9) && near(box[1].y, 5, 1e-9));
    CHECK(near(box[2].x, 50, 1e-9) && near(box[2].y, 15, 1e-9));
    CHECK(near(box[3].x, 10, 1e-9) && near(box[3].y, 15, 1e-9));

    /* A rectangle 60 x 20 turned by 30 degrees: the calipers find its sides. */
    const double pi = 3.14159265358979323846;
    double c = cos(pi / 6), s = sin(pi / 6);
    ocr_pt rot[4] = {{0, 0}, {60 * c, 60 * s}, {60 * c - 20 * s, 60 * s + 20 * c}, {-20 * s, 20 * c}};
    ocr_pt rhull[5];
    h = ocr_convex_hull(rot, 4, rhull);
    CHECK(h == 4);
    ocr_min_area_rect(rhull, h, box, &a, &b);
    CHECK(near(fmin(a, b), 20, 1e-6) && near(fmax(a, b), 60, 1e-6));

    /* Collinear points and a single point do not break it. */
    ocr_pt line[3] = {{0, 0}, {5, 0}, {10, 0}}, lh[4];
    h = ocr_convex_hull(line, 3, lh);
    CHECK(h == 2);
    ocr_min_area_rect(lh, h, box, &a, &b);
    CHECK(near(fmax(a, b), 10, 1e-9) && near(fmin(a, b), 0, 1e-9));
    ocr_pt one = {3, 4};
    ocr_min_area_rect(&one, 1, box, &a, &b);
    CHECK(a == 0 && b == 0);

    ocr_pt q[4] = {{50, 15}, {10, 5}, {10, 15}, {50, 5}};
    ocr_order_clockwise(q);
    CHECK(q[0].x == 10 && q[0].y == 5 && q[1].x == 50 && q[1].y == 5);
    CHECK(q[2].x == 50 && q[2].y == 15 && q[3].x == 10 && q[3].y == 15);
}

static void fill_rect(float *map, int w, int x0, int y0, int x1, int y1, float v)
{
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++)
            map[y * w + x] = v;
}

static void test_db(void)
{
    enum { W = 200, H = 120 };
    float *map = calloc(W * H, sizeof *map);
    /* Two text lines and a speck too small to be one; a faint region below
     * box_thresh; a ring, whose hole is no box of its own. */
    fill_rect(map, W, 20, 20, 119, 39, 0.9f);
    fill_rect(map, W, 20, 60, 79, 74, 0.8f);
    fill_rect(map, W, 150, 60, 151, 61, 0.9f);
    fill_rect(map, W, 150, 15, 190, 30, 0.35f);
    fill_rect(map, W, 130, 80, 190, 110, 0.9f);
    fill_rect(map, W, 140, 88, 180, 100, 0.0f);
    ocr_db_params p;
    ocr_db_params_default(&p);
    ocr_box *boxes;
    int n;
    /* The page is twice the map's size. */
    CHECK(ocr_db_boxes(map, H, W, 2 * W, 2 * H, &p, &boxes, &n) == 0);
    CHECK(n == 3);
    if (n == 3) {
        ocr_sort_boxes(boxes, n);
        /* Region x 20..120 (after the 1-pixel dilation), y 20..40: 100 x 20,
         * grown by d = 2000 * 1.6 / 240 = 13.3 on each side, then doubled. */
        double d = 100.0 * 20 * 1.6 / 240;
        CHECK(near(boxes[0].pt[0][0], nearbyint((20 - d) * 2), 1.01));
        CHECK(near(boxes[0].pt[0][1], nearbyint((20 - d) * 2), 1.01));
        CHECK(near(boxes[0].pt[2][0], nearbyint((120 + d) * 2), 1.01));
        CHECK(near(boxes[0].pt[2][1], nearbyint((40 + d) * 2), 1.01));
        /* The dilated rim has probability 0: 0.9 * 100 * 20 / (101 * 21). */
        CHECK(near(boxes[0].score, 0.9 * 2000 / 2121, 1e-4));
        CHECK(boxes[1].pt[0][1] < boxes[2].pt[0][1] || boxes[1].pt[0][0] < boxes[2].pt[0][0]);
        CHECK(boxes[1].pt[0][0] < 60 && boxes[2].pt[0][0] > 200);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < 4; k++)
                CHECK(boxes[i].pt[k][0] >= 0 && boxes[i].pt[k][0] <= 2 * W - 1 &&
                      boxes[i].pt[k][1] >= 0 && boxes[i].pt[k][1] <= 2 * H - 1);
    }
    free(boxes);
    /* An empty map has no boxes. */
    memset(map, 0, W * H * sizeof *map);
    CHECK(ocr_db_boxes(map, H, W, W, H, &p, &boxes, &n) == 0 && n == 0 && boxes == NULL);
    free(map);
}

static void test_sort(void)
{
    ocr_box b[3];
    memset(b, 0, sizeof b);
    /* Same line (tops 4 px apart) but out of order, and a line below. */
    b[0].pt[0][0] = 300, b[0].pt[0][1] = 12;
    b[1].pt[0][0] = 10, b[1].pt[0][1] = 60;
    b[2].pt[0][0] = 20, b[2].pt[0][1] = 16;
    ocr_sort_boxes(b, 3);
    CHECK(b[0].pt[0][0] == 20 && b[1].pt[0][0] == 300 && b[2].pt[0][0] == 10);
}

static void test_warp(void)
{
    double from[4][2] = {{0, 0}, {10, 0}, {10, 5}, {0, 5}};
    double to[4][2] = {{3, 4}, {23, 6}, {22, 16}, {2, 14}};
    double h[9];
    CHECK(ocr_homography(from, to, h) == 0);
    for (int i = 0; i < 4; i++) {
        double x = from[i][0], y = from[i][1], d = h[6] * x + h[7] * y + h[8];
        CHECK(near((h[0] * x + h[1] * y + h[2]) / d, to[i][0], 1e-9));
        CHECK(near((h[3] * x + h[4] * y + h[5]) / d, to[i][1], 1e-9));
    }
    double flat[4][2] = {{0, 0}, {1, 1}, {2, 2}, {3, 3}};
    CHECK(ocr_homography(from, flat, h) != 0);

    /* An axis-aligned crop of a gradient reproduces the pixels. */
    ocr_img img, out;
    CHECK(ocr_img_alloc(&img, 40, 30) == 0);
    for (int y = 0; y < 30; y++)
        for (int x = 0; x < 40; x++)
            for (int c = 0; c < 3; c++)
                img.px[(y * 40 + x) * 3 + c] = (uint8_t)(x * 5 + y * 2 + c);
    const float quad[4][2] = {{5, 4}, {25, 4}, {25, 14}, {5, 14}};
    CHECK(ocr_crop_quad(&img, quad, &out) == 0);
    CHECK(out.width == 20 && out.height == 10);
    int same = 1;
    for (int y = 0; y < out.height; y++)
        for (int x = 0; x < out.width; x++)
            same &= out.px[(y * 20 + x) * 3] == img.px[((y + 4) * 40 + x + 5) * 3];
    CHECK(same);
    ocr_img_free(&out);
    /* A tall box is turned to read left to right. */
    const float tall[4][2] = {{5, 2}, {11, 2}, {11, 28}, {5, 28}};
    CHECK(ocr_crop_quad(&img, tall, &out) == 0);
    CHECK(out.width == 26 && out.height == 6);
    ocr_img_free(&out);
    ocr_img_free(&img);
}

static void test_resize(void)
{
    ocr_img img, out;
    CHECK(ocr_img_alloc(&img, 4, 1) == 0);
    const uint8_t v[4] = {0, 100, 200, 250};
    for (int x = 0; x < 4; x++)
        memset(img.px + 3 * x, v[x], 3);
    /* Halving averages neighbour pairs (centres aligned). */
    CHECK(ocr_img_resize(&img, 2, 1, &out) == 0);
    CHECK(out.px[0] == 50 && out.px[3] == 225);
    ocr_img_free(&out);
    /* Doubling keeps the borders and interpolates between. */
    CHECK(ocr_img_resize(&img, 8, 1, &out) == 0);
    CHECK(out.px[0] == 0 && out.px[3 * 7] == 250 && out.px[3 * 1] == 25);
    ocr_img_free(&out);
    ocr_img_free(&img);
}

static void test_ctc(void)
{
    char *text = malloc(16);
    strcpy(text, "a\nb\nc");
    ocr_dict d;
    CHECK(ocr_dict_init(&d, text, strlen(text)) == 0);
    CHECK(d.classes == 5); /* blank, a, b, c, space */
    /* Steps: a a blank a space b -> "aa b" */
    const int seq[6] = {1, 1, 0, 1, 4, 2};
    float probs[6 * 5];
    for (int t = 0; t < 6; t++)
        for (int c = 0; c < 5; c++)
            probs[t * 5 + c] = c == seq[t] ? 0.8f : 0.05f;
    char *out;
    float score;
    CHECK(ocr_ctc_decode(&d, probs, 6, &out, &score) == 0);
    CHECK(strcmp(out, "aa b") == 0);
    CHECK(near(score, 0.8, 1e-6));
    free(out);
    for (int i = 0; i < 6 * 5; i++)
        probs[i] = i % 5 == 0 ? 0.9f : 0.025f;
    CHECK(ocr_ctc_decode(&d, probs, 6, &out, &score) == 0);
    CHECK(out[0] == '\0' && score == 0.0f);
    free(out);
    ocr_dict_free(&d);

    /* UTF-8 entries, CRLF line ends and a final line break. */
    text = malloc(32);
    strcpy(text, "\xe4\xbd\xa0\r\n\xe5\xa5\xbd\n");
    CHECK(ocr_dict_init(&d, text, strlen(text)) == 0);
    CHECK(d.classes == 4 && strcmp(d.tok[1], "\xe4\xbd\xa0") == 0 &&
          strcmp(d.tok[2], "\xe5\xa5\xbd") == 0);
    ocr_dict_free(&d);
}

static size_t put_varint(unsigned char *p, uint64_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

static size_t put_bytes(unsigned char *p, int field, const void *data, size_t len)
{
    size_t n = put_varint(p, (uint64_t)field << 3 | 2);
    n += put_varint(p + n, len);
    memcpy(p + n, data, len);
    return n + len;
}

static size_t put_entry(unsigned char *p, const char *key, const char *value)
{
    unsigned char e[256];
    size_t n = put_bytes(e, 1, key, strlen(key));
    n += put_bytes(e + n, 2, value, strlen(value));
    return put_bytes(p, 14, e, n);
}

static void test_metadata(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/ocr_meta_test.onnx", dir);
    unsigned char buf[1024];
    size_t n = 0;
    n += put_varint(buf + n, 1 << 3 | 0); /* ir_version */
    n += put_varint(buf + n, 8);
    unsigned char graph[300];
    memset(graph, 0x55, sizeof graph);
    n += put_bytes(buf + n, 7, graph, sizeof graph); /* skipped unread */
    n += put_entry(buf + n, "author", "nobody");
    n += put_entry(buf + n, "character", "x\ny");
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    fwrite(buf, 1, n, f);
    fclose(f);
    char *value, err[256];
    size_t len;
    CHECK(ocr_onnx_metadata(path, "character", &value, &len, err, sizeof err) == 0);
    CHECK(len == 3 && strcmp(value, "x\ny") == 0);
    free(value);
    CHECK(ocr_onnx_metadata(path, "missing", &value, &len, err, sizeof err) == 1);
    /* Cut inside the last entry: malformed, not a crash. */
    f = fopen(path, "wb");
    fwrite(buf, 1, n - 2, f);
    fclose(f);
    CHECK(ocr_onnx_metadata(path, "character", &value, &len, err, sizeof err) == -1);
    CHECK(ocr_onnx_metadata("/nonexistent/model.onnx", "character", &value, &len, err,
                            sizeof err) == -1);
    remove(path);
}

int main(int argc, char **argv)
{
    test_hull_and_rect();
    test_db();
    test_sort();
    test_warp();
    test_resize();
    test_ctc();
    test_metadata(argc > 1 ? argv[1] : ".");
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
