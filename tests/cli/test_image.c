/* PNG and JPEG decoding: every PNG colour type and bit depth, interlacing,
 * JPEG colour spaces and progressive files, encoded here with libpng and
 * libjpeg so no binary fixtures are needed; then truncated, corrupted and
 * oversized files, which must fail cleanly (run under ASan/UBSan). */
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <zlib.h>

#include "check.h"
#include "image.h"

#define W 7
#define H 5

/* ---- a growable memory buffer for the encoders ------------------------ */

typedef struct membuf {
    unsigned char *data;
    size_t size, cap;
} membuf;

static void membuf_put(membuf *m, const void *p, size_t n)
{
    if (m->size + n > m->cap) {
        m->cap = (m->size + n) * 2;
        m->data = realloc(m->data, m->cap);
    }
    memcpy(m->data + m->size, p, n);
    m->size += n;
}

static void png_write_mem(png_structp png, png_bytep data, size_t n)
{
    membuf_put(png_get_io_ptr(png), data, n);
}

static void png_flush_mem(png_structp png)
{
    (void)png;
}

/* ---- PNG encoding ------------------------------------------------------ */

typedef struct png_spec {
    const char *label;
    int color_type;
    int bit_depth;
    int interlace;
    int trns;
} png_spec;

static int channels_of(int color_type)
{
    switch (color_type) {
    case PNG_COLOR_TYPE_GRAY: return 1;
    case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
    case PNG_COLOR_TYPE_RGB: return 3;
    case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
    default: return 1; /* palette index */
    }
}

/* Sample value (at the PNG's own bit depth) of channel c of pixel (x, y). */
static unsigned sample(const png_spec *s, int x, int y, int c)
{
    unsigned max = (1u << s->bit_depth) - 1;
    return (unsigned)(x * 37 + y * 101 + c * 53 + x * y * 7) % (max + 1);
}

/* The palette: entry i has RGB (i*3, 255 - i, i*7). */
static void palette_rgb(unsigned i, unsigned char rgb[3])
{
    rgb[0] = (unsigned char)(i * 3);
    rgb[1] = (unsigned char)(255 - i);
    rgb[2] = (unsigned char)(i * 7);
}

/* What the decoder must produce for pixel (x, y). */
static void expected_rgb(const png_spec *s, int x, int y, unsigned char rgb[3])
{
    unsigned max = (1u << s->bit_depth) - 1;
    int c;
    if (s->color_type == PNG_COLOR_TYPE_PALETTE) {
        palette_rgb(sample(s, x, y, 0), rgb);
        return;
    }
    for (c = 0; c < 3; c++) {
        int src = s->color_type & PNG_COLOR_MASK_COLOR ? c : 0;
        unsigned v = sample(s, x, y, src);
        /* 16-bit keeps the high byte; low depths scale to 0..255. */
        rgb[c] = (unsigned char)(s->bit_depth == 16 ? v >> 8 : v * 255 / max);
    }
}

static int encode_png(const png_spec *s, membuf *out)
{
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    int ch = channels_of(s->color_type), x, y, c;
    size_t row_bytes = ((size_t)W * (size_t)ch * (size_t)s->bit_depth + 7) / 8;
    unsigned char *rows_data = calloc(H, row_bytes);
    png_bytep rows[H];

    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(rows_data);
        return -1;
    }
    png_set_write_fn(png, out, png_write_mem, png_flush_mem);
    png_set_IHDR(png, info, W, H, s->bit_depth, s->color_type,
                 s->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (s->color_type == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[256];
        png_byte alpha[256];
        unsigned n = 1u << s->bit_depth, i;
        for (i = 0; i < n; i++) {
            unsigned char rgb[3];
            palette_rgb(i, rgb);
            pal[i].red = rgb[0];
            pal[i].green = rgb[1];
            pal[i].blue = rgb[2];
            alpha[i] = (png_byte)(i * 5);
        }
        png_set_PLTE(png, info, pal, (int)n);
        if (s->trns)
            png_set_tRNS(png, info, alpha, (int)n, NULL);
    } else if (s->trns) {
        png_color_16 key;
        memset(&key, 0, sizeof key);
        key.gray = (png_uint_16)sample(s, 0, 0, 0);
        key.red = key.gray;
        png_set_tRNS(png, info, NULL, 0, &key);
    }
    png_write_info(png, info);
    for (y = 0; y < H; y++) {
        unsigned char *row = rows_data + (size_t)y * row_bytes;
        rows[y] = row;
        for (x = 0; x < W; x++) {
            for (c = 0; c < ch; c++) {
                unsigned v = sample(s, x, y, c);
                size_t bit = ((size_t)x * (size_t)ch + (size_t)c) * (size_t)s->bit_depth;
                if (s->bit_depth == 16) {
                    row[bit / 8] = (unsigned char)(v >> 8);
                    row[bit / 8 + 1] = (unsigned char)(v & 0xff);
                } else if (s->bit_depth == 8) {
                    row[bit / 8] = (unsigned char)v;
                } else {
                    /* Sub-byte samples are packed most significant first. */
                    row[bit / 8] |= (unsigned char)(v << (8 - s->bit_depth - bit % 8));
                }
            }
        }
    }
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows_data);
    return 0;
}

static void test_png_formats(test_counts *tc)
{
    static const png_spec specs[] = {
        {"rgb8", PNG_COLOR_TYPE_RGB, 8, 0, 0},
        {"rgb16", PNG_COLOR_TYPE_RGB, 16, 0, 0},
        {"rgba8", PNG_COLOR_TYPE_RGB_ALPHA, 8, 0, 0},
        {"rgba16", PNG_COLOR_TYPE_RGB_ALPHA, 16, 0, 0},
        {"gray1", PNG_COLOR_TYPE_GRAY, 1, 0, 0},
        {"gray2", PNG_COLOR_TYPE_GRAY, 2, 0, 0},
        {"gray4", PNG_COLOR_TYPE_GRAY, 4, 0, 0},
        {"gray8", PNG_COLOR_TYPE_GRAY, 8, 0, 0},
        {"gray16", PNG_COLOR_TYPE_GRAY, 16, 0, 0},
        {"gray8-trns", PNG_COLOR_TYPE_GRAY, 8, 0, 1},
        {"gray2-trns", PNG_COLOR_TYPE_GRAY, 2, 0, 1},
        {"rgb8-trns", PNG_COLOR_TYPE_RGB, 8, 0, 1},
        {"graya8", PNG_COLOR_TYPE_GRAY_ALPHA, 8, 0, 0},
        {"graya16", PNG_COLOR_TYPE_GRAY_ALPHA, 16, 0, 0},
        {"pal1", PNG_COLOR_TYPE_PALETTE, 1, 0, 0},
        {"pal2", PNG_COLOR_TYPE_PALETTE, 2, 0, 0},
        {"pal4", PNG_COLOR_TYPE_PALETTE, 4, 0, 0},
        {"pal8", PNG_COLOR_TYPE_PALETTE, 8, 0, 0},
        {"pal8-trns", PNG_COLOR_TYPE_PALETTE, 8, 0, 1},
        {"pal2-trns", PNG_COLOR_TYPE_PALETTE, 2, 0, 1},
        {"rgb8-interlaced", PNG_COLOR_TYPE_RGB, 8, 1, 0},
        {"graya16-interlaced", PNG_COLOR_TYPE_GRAY_ALPHA, 16, 1, 0},
        {"pal4-trns-interlaced", PNG_COLOR_TYPE_PALETTE, 4, 1, 1},
    };
    size_t k;
    for (k = 0; k < sizeof specs / sizeof specs[0]; k++) {
        const png_spec *s = &specs[k];
        membuf m = {NULL, 0, 0};
        rgb_image img;
        char err[256] = "";
        int x, y, same = 1;
        CHECKF(tc, encode_png(s, &m) == 0, "%s: encode", s->label);
        CHECKF(tc, image_sniff(m.data, m.size) == IMAGE_FORMAT_PNG, "%s", s->label);
        CHECKF(tc, image_decode(m.data, m.size, IMAGE_DEFAULT_MAX_PIXELS, &img, err,
                                sizeof err) == 0,
               "%s: %s", s->label, err);
        if (img.pixels != NULL) {
            CHECKF(tc, img.width == W && img.height == H, "%s", s->label);
            for (y = 0; y < H; y++) {
                for (x = 0; x < W; x++) {
                    unsigned char want[3];
                    expected_rgb(s, x, y, want);
                    if (memcmp(img.pixels + ((size_t)y * W + (size_t)x) * 3, want, 3) != 0)
                        same = 0;
                }
            }
            CHECKF(tc, same, "%s: pixels differ", s->label);
        }
        rgb_image_free(&img);
        free(m.data);
    }
}

/* ---- JPEG encoding ----------------------------------------------------- */

typedef struct jpeg_spec {
    const char *label;
    J_COLOR_SPACE space;
    int progressive;
    int tolerance;
} jpeg_spec;

/* A smooth gradient so that JPEG's loss stays small. */
static void gradient(int x, int y, unsigned char rgb[3])
{
    rgb[0] = (unsigned char)(40 + x * 6);
    rgb[1] = (unsigned char)(200 - y * 5);
    rgb[2] = (unsigned char)(90 + x * 2 + y * 2);
}

#define JW 32
#define JH 24

static void encode_jpeg(const jpeg_spec *s, unsigned char **out, unsigned long *out_size)
{
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    int comps = s->space == JCS_GRAYSCALE ? 1 : s->space == JCS_CMYK ? 4 : 3;
    unsigned char row[JW * 4];
    int x, y;

    cinfo.err = jpeg_std_error(&jerr);
    jpeg_create_compress(&cinfo);
    *out = NULL;
    *out_size = 0;
    jpeg_mem_dest(&cinfo, out, out_size);
    cinfo.image_width = JW;
    cinfo.image_height = JH;
    cinfo.input_components = comps;
    cinfo.in_color_space = s->space;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, 100, TRUE);
    if (s->progressive)
        jpeg_simple_progression(&cinfo);
    jpeg_start_compress(&cinfo, TRUE);
    for (y = 0; y < JH; y++) {
        JSAMPROW rp = row;
        for (x = 0; x < JW; x++) {
            unsigned char rgb[3];
            gradient(x, y, rgb);
            if (comps == 1) {
                row[x] = rgb[0];
            } else if (comps == 3) {
                memcpy(row + 3 * x, rgb, 3);
            } else {
                /* Adobe-style inverted CMYK with K = 0 ink: stored C = R. */
                row[4 * x + 0] = rgb[0];
                row[4 * x + 1] = rgb[1];
                row[4 * x + 2] = rgb[2];
                row[4 * x + 3] = 255;
            }
        }
        jpeg_write_scanlines(&cinfo, &rp, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
}

static void test_jpeg_formats(test_counts *tc)
{
    static const jpeg_spec specs[] = {
        {"ycbcr", JCS_RGB, 0, 4},
        {"ycbcr-progressive", JCS_RGB, 1, 4},
        {"gray", JCS_GRAYSCALE, 0, 2},
        {"cmyk", JCS_CMYK, 0, 4},
    };
    size_t k;
    for (k = 0; k < sizeof specs / sizeof specs[0]; k++) {
        unsigned char *data;
        unsigned long size;
        rgb_image img;
        char err[256] = "";
        int x, y, c, worst = 0, gray_equal = 1;
        encode_jpeg(&specs[k], &data, &size);
        CHECKF(tc, image_sniff(data, size) == IMAGE_FORMAT_JPEG, "%s", specs[k].label);
        CHECKF(tc, image_decode(data, size, IMAGE_DEFAULT_MAX_PIXELS, &img, err, sizeof err) == 0,
               "%s: %s", specs[k].label, err);
        if (img.pixels != NULL) {
            CHECKF(tc, img.width == JW && img.height == JH, "%s", specs[k].label);
            for (y = 0; y < JH; y++) {
                for (x = 0; x < JW; x++) {
                    const unsigned char *p = img.pixels + ((size_t)y * JW + (size_t)x) * 3;
                    unsigned char want[3];
                    gradient(x, y, want);
                    for (c = 0; c < 3; c++) {
                        int ref = specs[k].space == JCS_GRAYSCALE ? want[0] : want[c];
                        int d = abs((int)p[c] - ref);
                        if (d > worst)
                            worst = d;
                    }
                    if (specs[k].space == JCS_GRAYSCALE && (p[0] != p[1] || p[1] != p[2]))
                        gray_equal = 0;
                }
            }
            CHECKF(tc, worst <= specs[k].tolerance, "%s: off by %d", specs[k].label, worst);
            CHECKF(tc, gray_equal, "%s: grey channels differ", specs[k].label);
        }
        rgb_image_free(&img);
        free(data);
    }
}

/* ---- hostile input ----------------------------------------------------- */

/* Decodes an exact-size copy (so ASan catches any overread). A success must
 * be a whole image. Returns the decoder's result. */
static int decode_copy(const unsigned char *data, size_t n, uint64_t max_pixels, int *sane)
{
    unsigned char *copy = malloc(n > 0 ? n : 1);
    rgb_image img;
    char err[256];
    int rc;
    memcpy(copy, data, n);
    rc = image_decode(copy, n, max_pixels, &img, err, sizeof err);
    if (rc == 0 && (img.pixels == NULL || img.width <= 0 || img.height <= 0))
        *sane = 0;
    if (rc != 0 && (img.pixels != NULL || err[0] == '\0'))
        *sane = 0;
    rgb_image_free(&img);
    free(copy);
    return rc;
}

static void test_truncations(test_counts *tc)
{
    png_spec ps = {"rgb8", PNG_COLOR_TYPE_RGB, 8, 0, 0};
    jpeg_spec js = {"ycbcr", JCS_RGB, 1, 0};
    membuf m = {NULL, 0, 0};
    unsigned char *j;
    unsigned long jsize;
    size_t n;
    int sane = 1, png_failures = 0, jpeg_failures = 0;

    encode_png(&ps, &m);
    for (n = 0; n < m.size; n++)
        png_failures += decode_copy(m.data, n, IMAGE_DEFAULT_MAX_PIXELS, &sane) != 0;
    /* Cut anywhere before the end of the pixel data: an error. (After it,
     * only IEND is missing, which decoders forgive.) */
    CHECK(tc, png_failures >= (int)m.size - 12);
    encode_jpeg(&js, &j, &jsize);
    for (n = 0; n < jsize; n++)
        jpeg_failures += decode_copy(j, n, IMAGE_DEFAULT_MAX_PIXELS, &sane) != 0;
    CHECK(tc, jpeg_failures >= (int)jsize - 2);
    CHECK(tc, sane);
    free(m.data);
    free(j);
}

static void test_mutations(test_counts *tc)
{
    png_spec ps = {"pal4-trns-interlaced", PNG_COLOR_TYPE_PALETTE, 4, 1, 1};
    jpeg_spec specs[2] = {{"ycbcr", JCS_RGB, 0, 0}, {"progressive", JCS_RGB, 1, 0}};
    membuf m = {NULL, 0, 0};
    uint64_t rng = 99;
    int sane = 1, iter, which;

    encode_png(&ps, &m);
    for (iter = 0; iter < 3000; iter++) {
        unsigned char *c = malloc(m.size);
        int flips = 1 + iter % 3, f;
        memcpy(c, m.data, m.size);
        for (f = 0; f < flips; f++) {
            rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
            /* Past the signature, or every mutant is merely "not a PNG". */
            c[8 + (rng >> 33) % (m.size - 8)] = (unsigned char)(rng >> 20);
        }
        decode_copy(c, m.size, IMAGE_DEFAULT_MAX_PIXELS, &sane);
        free(c);
    }
    for (which = 0; which < 2; which++) {
        unsigned char *j;
        unsigned long jsize;
        encode_jpeg(&specs[which], &j, &jsize);
        for (iter = 0; iter < 3000; iter++) {
            unsigned char *c = malloc(jsize);
            int flips = 1 + iter % 4, f;
            memcpy(c, j, jsize);
            for (f = 0; f < flips; f++) {
                rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
                c[3 + (rng >> 33) % (jsize - 3)] = (unsigned char)(rng >> 20);
            }
            decode_copy(c, jsize, IMAGE_DEFAULT_MAX_PIXELS, &sane);
            free(c);
        }
        free(j);
    }
    CHECK(tc, sane);
    free(m.data);
}

/* Rewrites a PNG's IHDR size (recomputing its CRC) to claim a huge image. */
static void test_oversized(test_counts *tc)
{
    png_spec ps = {"rgb8", PNG_COLOR_TYPE_RGB, 8, 0, 0};
    membuf m = {NULL, 0, 0};
    unsigned char *j;
    unsigned long jsize, i;
    rgb_image img;
    char err[256] = "";
    uLong crc;
    int sane = 1;

    encode_png(&ps, &m);
    /* IHDR data starts at 16: width and height, big-endian. */
    m.data[16] = 0x00, m.data[17] = 0x01, m.data[18] = 0x00, m.data[19] = 0x00;
    m.data[20] = 0x00, m.data[21] = 0x01, m.data[22] = 0x00, m.data[23] = 0x00;
    crc = crc32(0L, m.data + 12, 17);
    m.data[29] = (unsigned char)(crc >> 24), m.data[30] = (unsigned char)(crc >> 16);
    m.data[31] = (unsigned char)(crc >> 8), m.data[32] = (unsigned char)crc;
    CHECK(tc, image_decode(m.data, m.size, IMAGE_DEFAULT_MAX_PIXELS, &img, err, sizeof err) ==
                  -1);
    CHECKF(tc, strstr(err, "exceeds") != NULL, "%s", err);
    CHECK(tc, img.pixels == NULL);
    /* The cap is the caller's: the real 7x5 image fails a 34-pixel cap. */
    free(m.data);
    m.data = NULL;
    m.size = m.cap = 0;
    encode_png(&ps, &m);
    CHECK(tc, decode_copy(m.data, m.size, W * H - 1, &sane) == -1);
    CHECK(tc, decode_copy(m.data, m.size, W * H, &sane) == 0);
    free(m.data);

    {
        jpeg_spec js = {"ycbcr", JCS_RGB, 0, 0};
        encode_jpeg(&js, &j, &jsize);
    }
    /* SOF0's height and width follow its marker, length and precision. */
    for (i = 0; i + 9 < jsize; i++) {
        if (j[i] == 0xff && j[i + 1] == 0xc0) {
            j[i + 5] = 0x7f, j[i + 6] = 0xff, j[i + 7] = 0x7f, j[i + 8] = 0xff;
            break;
        }
    }
    err[0] = '\0';
    CHECK(tc, image_decode(j, jsize, IMAGE_DEFAULT_MAX_PIXELS, &img, err, sizeof err) == -1);
    CHECKF(tc, strstr(err, "exceeds") != NULL, "%s", err);
    free(j);
    CHECK(tc, sane);
}

static void test_garbage(test_counts *tc)
{
    static const unsigned char png_sig_only[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char jpeg_soi_only[] = {0xff, 0xd8, 0xff};
    static const unsigned char text[] = "hello, this is not an image";
    rgb_image img;
    char err[256];
    CHECK(tc, image_decode(png_sig_only, sizeof png_sig_only, IMAGE_DEFAULT_MAX_PIXELS, &img, err,
                           sizeof err) == -1);
    CHECK(tc, image_decode(jpeg_soi_only, sizeof jpeg_soi_only, IMAGE_DEFAULT_MAX_PIXELS, &img,
                           err, sizeof err) == -1);
    CHECK(tc, image_decode(text, sizeof text, IMAGE_DEFAULT_MAX_PIXELS, &img, err, sizeof err) ==
                  -1);
    CHECK(tc, strstr(err, "not a PNG or JPEG") != NULL);
    CHECK(tc, image_decode(NULL, 0, IMAGE_DEFAULT_MAX_PIXELS, &img, err, sizeof err) == -1);
    /* A PNG handed to the JPEG decoder and the reverse. */
    CHECK(tc, image_decode_jpeg(png_sig_only, sizeof png_sig_only, IMAGE_DEFAULT_MAX_PIXELS, &img,
                                err, sizeof err) == -1);
    CHECK(tc, image_decode_png(jpeg_soi_only, sizeof jpeg_soi_only, IMAGE_DEFAULT_MAX_PIXELS,
                               &img, err, sizeof err) == -1);
    CHECK(tc, image_decode(text, sizeof text, IMAGE_DEFAULT_MAX_PIXELS, &img, NULL, 0) == -1);
    rgb_image_free(NULL);
}

int main(void)
{
    test_counts tc = {0, 0};
    test_png_formats(&tc);
    test_jpeg_formats(&tc);
    test_truncations(&tc);
    test_mutations(&tc);
    test_oversized(&tc);
    test_garbage(&tc);
    return test_finish(&tc);
}
