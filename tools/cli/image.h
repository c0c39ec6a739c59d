/*
 * PNG and JPEG decoding into 8-bit RGB.
 *
 * Entry points take bytes (so a fuzzer can drive them) and never exit or
 * abort: libpng and libjpeg report errors by longjmp into these functions,
 * which turn them into a message. Images larger than max_pixels are
 * rejected from their header, before any pixel buffer is allocated.
 */
#ifndef MOBINFER_CLI_IMAGE_H
#define MOBINFER_CLI_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/* A default cap on width * height: 64 megapixels (192 MiB of RGB). */
#define IMAGE_DEFAULT_MAX_PIXELS ((uint64_t)64 * 1024 * 1024)

typedef struct rgb_image {
    int width;
    int height;
    unsigned char *pixels; /* owned; width * height * 3 bytes, row-major RGB */
} rgb_image;

typedef enum image_format {
    IMAGE_FORMAT_UNKNOWN = 0,
    IMAGE_FORMAT_PNG,
    IMAGE_FORMAT_JPEG
} image_format;

/* Recognises PNG and JPEG by their leading bytes. */
image_format image_sniff(const void *bytes, size_t size);

/* Decoders. Each returns 0, or -1 with a message in err; on failure *out is
 * zeroed and nothing is left allocated.
 * PNG: palette, grayscale (any bit depth), 16-bit and interlaced images are
 * converted; alpha and tRNS transparency are dropped (not composited), as
 * PIL's convert("RGB") does. JPEG: grayscale, YCbCr, RGB, CMYK and YCCK. */
int image_decode_png(const void *bytes, size_t size, uint64_t max_pixels, rgb_image *out,
                     char *err, size_t errlen);
int image_decode_jpeg(const void *bytes, size_t size, uint64_t max_pixels, rgb_image *out,
                      char *err, size_t errlen);

/* Sniffs the format and calls the matching decoder. */
int image_decode(const void *bytes, size_t size, uint64_t max_pixels, rgb_image *out, char *err,
                 size_t errlen);

void rgb_image_free(rgb_image *image);

#endif
