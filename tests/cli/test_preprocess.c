/* Image preprocessing against its references: the expected hashes below were
 * computed once with Pillow 13.0.0 and torchvision (Image.resize BILINEAR,
 * transforms.Resize(N), functional.center_crop) on the same synthetic
 * images, so any drift from the Python pipeline shows up here. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "preprocess.h"

/* The synthetic image the hashes were made from. */
static rgb_image make_image(int w, int h)
{
    rgb_image img;
    int x, y, c;
    img.width = w;
    img.height = h;
    img.pixels = malloc((size_t)w * (size_t)h * 3);
    for (y = 0; y < h; y++)
        for (x = 0; x < w; x++)
            for (c = 0; c < 3; c++)
                img.pixels[((size_t)y * (size_t)w + (size_t)x) * 3 + (size_t)c] =
                    (unsigned char)((x * 31 + y * 17 + c * 90 + x * y) % 256);
    return img;
}

static uint32_t fnv1a(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void test_resize_matches_pil(test_counts *tc)
{
    static const struct {
        int w, h, ow, oh;
        uint32_t hash;
    } cases[] = {
        /* Horizontal pass first, both shrinking; enlarging; vertical first
         * (the height shrinks by more than twice the width, Pillow >= 13);
         * one axis only; mixed; a single pixel; 200x150 up to 224x168. */
        {7, 5, 3, 2, 0xeafaf543u},      {5, 7, 11, 13, 0xd52f6fa7u},
        {4, 40, 3, 4, 0x41e55d07u},     {9, 3, 4, 3, 0x442857c7u},
        {3, 9, 3, 2, 0x1757d324u},      {64, 48, 17, 9, 0xd8d02b6cu},
        {50, 120, 40, 31, 0x8a8e4b5cu}, {1, 1, 4, 3, 0xecf848d5u},
        {200, 150, 224, 168, 0x222420a4u},
    };
    size_t k;
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        rgb_image in = make_image(cases[k].w, cases[k].h), out;
        char err[128];
        CHECK(tc, prep_resize(&in, cases[k].ow, cases[k].oh, &out, err, sizeof err) == 0);
        if (out.pixels != NULL) {
            uint32_t h = fnv1a(out.pixels, (size_t)out.width * (size_t)out.height * 3);
            CHECKF(tc, h == cases[k].hash, "%dx%d -> %dx%d: %08x", cases[k].w, cases[k].h,
                   cases[k].ow, cases[k].oh, (unsigned)h);
        }
        rgb_image_free(&out);
        rgb_image_free(&in);
    }
}

static void test_resize_sizes(test_counts *tc)
{
    static const struct {
        int w, h, n, ow, oh;
    } cases[] = {
        {500, 375, 256, 341, 256}, {375, 500, 256, 256, 341}, {640, 480, 256, 341, 256},
        {256, 256, 256, 256, 256}, {300, 299, 224, 224, 224}, {1, 1000, 3, 3, 3000},
        {1000, 3, 7, 2333, 7},     {333, 500, 224, 224, 336},
    };
    size_t k;
    int ow, oh;
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        CHECK(tc, prep_resize_size(cases[k].w, cases[k].h, cases[k].n, &ow, &oh) == 0);
        CHECKF(tc, ow == cases[k].ow && oh == cases[k].oh, "%dx%d N=%d: %dx%d", cases[k].w,
               cases[k].h, cases[k].n, ow, oh);
    }
    CHECK(tc, prep_resize_size(0, 5, 3, &ow, &oh) == -1);
    CHECK(tc, prep_resize_size(5, 5, 0, &ow, &oh) == -1);
    /* A long side that would overflow an int is refused. */
    CHECK(tc, prep_resize_size(1, 1 << 30, 1 << 16, &ow, &oh) == -1);
}

static void test_center_crop(test_counts *tc)
{
    static const struct {
        int w, h, cw, ch;
        uint32_t hash;
    } cases[] = {
        /* Odd margins round half to even (Python's round); crops larger
         * than the image are zero-padded like torchvision does. */
        {10, 10, 4, 4, 0x1a70b429u}, {11, 10, 4, 4, 0x7dc70ff9u}, {12, 9, 5, 4, 0x255be389u},
        {13, 13, 4, 4, 0x66a6b389u}, {9, 7, 9, 7, 0x7565b4d8u},   {5, 4, 8, 7, 0xb4eeafa5u},
        {6, 3, 9, 2, 0xb9743e6eu},   {7, 7, 1, 1, 0x916454f8u},   {8, 5, 3, 6, 0xa96b84f8u},
    };
    size_t k;
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        rgb_image in = make_image(cases[k].w, cases[k].h), out;
        char err[128];
        CHECK(tc, prep_center_crop(&in, cases[k].ch, cases[k].cw, &out, err, sizeof err) == 0);
        if (out.pixels != NULL) {
            uint32_t h = fnv1a(out.pixels, (size_t)out.width * (size_t)out.height * 3);
            CHECKF(tc, h == cases[k].hash, "%dx%d crop %dx%d: %08x", cases[k].w, cases[k].h,
                   cases[k].cw, cases[k].ch, (unsigned)h);
        }
        rgb_image_free(&out);
        rgb_image_free(&in);
    }
    {
        rgb_image in = make_image(4, 4), out;
        char err[128];
        CHECK(tc, prep_center_crop(&in, 0, 3, &out, err, sizeof err) == -1);
        CHECK(tc, out.pixels == NULL);
        rgb_image_free(&in);
    }
}

static void test_tensor_layouts(test_counts *tc)
{
    rgb_image in = make_image(3, 2);
    prep_params p;
    cli_tensor t;
    char err[128];
    int x, y, c;

    memset(&p, 0, sizeof p);
    p.mean[0] = 10.0f, p.mean[1] = 20.0f, p.mean[2] = 30.0f;
    p.std[0] = 2.0f, p.std[1] = 4.0f, p.std[2] = 8.0f;

    /* NCHW RGB: t[c][y][x] = (px[y][x][c] - mean[c]) / std[c]. */
    p.layout = PREP_LAYOUT_NCHW;
    CHECK(tc, prep_image_to_tensor(&in, &p, MOBINFER_DTYPE_FLOAT32, &t, err, sizeof err) == 0);
    CHECK(tc, t.rank == 4 && t.dims[0] == 1 && t.dims[1] == 3 && t.dims[2] == 2 && t.dims[3] == 3);
    CHECK(tc, t.byte_size == 3 * 2 * 3 * sizeof(float));
    for (c = 0; c < 3; c++)
        for (y = 0; y < 2; y++)
            for (x = 0; x < 3; x++) {
                float want = ((float)in.pixels[(y * 3 + x) * 3 + c] - p.mean[c]) / p.std[c];
                CHECK(tc, ((float *)t.data)[(c * 2 + y) * 3 + x] == want);
            }
    cli_tensor_free(&t);

    /* NHWC BGR: t[y][x][k] holds colour 2 - k, normalised with that
     * colour's mean and std. */
    p.layout = PREP_LAYOUT_NHWC;
    p.bgr = 1;
    CHECK(tc, prep_image_to_tensor(&in, &p, MOBINFER_DTYPE_FLOAT32, &t, err, sizeof err) == 0);
    CHECK(tc, t.dims[1] == 2 && t.dims[2] == 3 && t.dims[3] == 3);
    for (y = 0; y < 2; y++)
        for (x = 0; x < 3; x++)
            for (c = 0; c < 3; c++) {
                int colour = 2 - c;
                float want =
                    ((float)in.pixels[(y * 3 + x) * 3 + colour] - p.mean[colour]) / p.std[colour];
                CHECK(tc, ((float *)t.data)[(y * 3 + x) * 3 + c] == want);
            }
    cli_tensor_free(&t);

    /* uint8 inputs take the raw pixels, NHWC RGB equals the image bytes. */
    p.bgr = 0;
    CHECK(tc, prep_image_to_tensor(&in, &p, MOBINFER_DTYPE_UINT8, &t, err, sizeof err) == 0);
    CHECK(tc, t.dtype == MOBINFER_DTYPE_UINT8 && t.byte_size == 18);
    CHECK(tc, t.data != NULL && memcmp(t.data, in.pixels, 18) == 0);
    cli_tensor_free(&t);

    /* Other dtypes and a zero std are refused without leaving memory. */
    CHECK(tc, prep_image_to_tensor(&in, &p, MOBINFER_DTYPE_INT64, &t, err, sizeof err) == -1);
    CHECK(tc, t.data == NULL);
    p.std[1] = 0.0f;
    CHECK(tc, prep_image_to_tensor(&in, &p, MOBINFER_DTYPE_FLOAT32, &t, err, sizeof err) == -1);
    rgb_image_free(&in);
}

/* Resize(20) then CenterCrop(16) on a 40x30 image, as one pipeline. */
static void test_pipeline(test_counts *tc)
{
    rgb_image in = make_image(40, 30);
    prep_params p;
    cli_tensor t;
    char err[128];
    memset(&p, 0, sizeof p);
    p.resize = 20;
    p.crop_h = p.crop_w = 16;
    p.std[0] = p.std[1] = p.std[2] = 1.0f;
    p.layout = PREP_LAYOUT_NHWC;
    CHECK(tc, prep_image_to_tensor(&in, &p, MOBINFER_DTYPE_UINT8, &t, err, sizeof err) == 0);
    CHECK(tc, t.dims[1] == 16 && t.dims[2] == 16);
    CHECK(tc, t.data != NULL && fnv1a(t.data, t.byte_size) == 0xadc29487u);
    cli_tensor_free(&t);
    cli_tensor_free(NULL);
    rgb_image_free(&in);
}

int main(void)
{
    test_counts tc = {0, 0};
    test_resize_matches_pil(&tc);
    test_resize_sizes(&tc);
    test_center_crop(&tc);
    test_tensor_layouts(&tc);
    test_pipeline(&tc);
    return test_finish(&tc);
}
