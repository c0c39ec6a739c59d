/* PNG decoding through libpng's low-level API. The simplified API
 * (png_image_*) would do the conversions for us but composites alpha and
 * applies gamma in linear light, which differs from what Python pipelines
 * (PIL's convert("RGB")) feed a model; here alpha is dropped and samples are
 * taken as stored, so the CLI sees the same pixels as the reference. */
#include "image.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct png_source {
    const unsigned char *data;
    size_t size;
    size_t pos;
    char *err;
    size_t errlen;
} png_source;

static void png_read_bytes(png_structp png, png_bytep out, size_t n)
{
    png_source *src = png_get_io_ptr(png);
    if (n > src->size - src->pos)
        png_error(png, "truncated file");
    memcpy(out, src->data + src->pos, n);
    src->pos += n;
}

/* libpng must not return from its error callback; jump back to the decoder. */
static void png_on_error(png_structp png, png_const_charp message)
{
    png_source *src = png_get_error_ptr(png);
    if (src->err != NULL && src->errlen > 0)
        snprintf(src->err, src->errlen, "png: %s", message);
    png_longjmp(png, 1);
}

/* Warnings (bad ancillary chunks, sRGB profile quibbles) are not the user's
 * problem and would clutter the output. */
static void png_on_warning(png_structp png, png_const_charp message)
{
    (void)png;
    (void)message;
}

int image_decode_png(const void *bytes, size_t size, uint64_t max_pixels, rgb_image *out,
                     char *err, size_t errlen)
{
    png_source src;
    png_structp png;
    png_infop info;
    /* Assigned after setjmp and needed after a longjmp, hence volatile. */
    unsigned char *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    png_uint_32 width, height, y;
    int bit_depth, color_type, channels;
    size_t row_bytes, n, i;

    memset(out, 0, sizeof *out);
    src.data = bytes;
    src.size = size;
    src.pos = 0;
    src.err = err;
    src.errlen = errlen;
    if (image_sniff(bytes, size) != IMAGE_FORMAT_PNG) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "png: not a PNG file");
        return -1;
    }
    png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_on_error, png_on_warning);
    if (png == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "png: out of memory");
        return -1;
    }
    info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "png: out of memory");
        return -1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(rows);
        free(pixels);
        return -1;
    }
    png_set_read_fn(png, &src, png_read_bytes);
    png_read_info(png, info);
    png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, NULL, NULL, NULL);
    if (width == 0 || height == 0 || (uint64_t)width * height > max_pixels) {
        char message[128];
        snprintf(message, sizeof message, "image of %lux%lu pixels exceeds the limit of %llu",
                 (unsigned long)width, (unsigned long)height, (unsigned long long)max_pixels);
        png_error(png, message);
    }

    if (color_type == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (bit_depth == 16)
        png_set_strip_16(png); /* keeps the high byte, as PIL does */
    if (color_type == PNG_COLOR_TYPE_GRAY || color_type == PNG_COLOR_TYPE_GRAY_ALPHA)
        png_set_gray_to_rgb(png);
    (void)png_set_interlace_handling(png);
    png_read_update_info(png, info);

    /* Expanding a palette with tRNS adds an alpha channel, so alpha is
     * dropped below rather than by png_set_strip_alpha. */
    channels = png_get_channels(png, info);
    row_bytes = png_get_rowbytes(png, info);
    if ((channels != 3 && channels != 4) || row_bytes != (size_t)width * (size_t)channels)
        png_error(png, "unexpected pixel layout after conversion");

    n = (size_t)width * height;
    pixels = malloc(n * (size_t)channels);
    rows = malloc(sizeof(png_bytep) * height);
    if (pixels == NULL || rows == NULL)
        png_error(png, "out of memory");
    for (y = 0; y < height; y++)
        rows[y] = pixels + (size_t)y * row_bytes;
    png_read_image(png, rows);
    /* Trailing chunks are not read: a file cut after its pixel data still
     * decodes, as it does in PIL. */

    if (channels == 4) {
        unsigned char *p = pixels;
        for (i = 0; i < n; i++) {
            p[3 * i + 0] = p[4 * i + 0];
            p[3 * i + 1] = p[4 * i + 1];
            p[3 * i + 2] = p[4 * i + 2];
        }
    }
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    out->width = (int)width;
    out->height = (int)height;
    out->pixels = pixels;
    return 0;
}
