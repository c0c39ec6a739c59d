/* fuzz_image: bytes -> the CLI's PNG and JPEG decoders (tools/cli/image*.c)
 * -> on success, the preprocessing the CLI applies (tools/cli/preprocess.c).
 *
 * Bytes go through image_decode as the CLI calls it; the decoder of the
 * other format is called directly too and must reject them from its sniff. Sizes are bounded: at most
 * FUZZ_MAX_PIXELS pixels decoded, and preprocessing targets of at most
 * FUZZ_MAX_PREP_SIDE per side. The preprocessing parameters are derived from
 * the input's length and image size, so the fuzzer reaches every branch
 * (upscaling, downscaling, either pass order, crop larger or smaller than
 * the image, both layouts, both dtypes) without touching the image bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "image.h"
#include "preprocess.h"

#define FUZZ_MAX_PIXELS ((uint64_t)1 << 18)
#define FUZZ_MAX_PREP_SIDE 160

static void check_image(const rgb_image *img, int rc, const char *err, const char *what)
{
    FUZZ_CHECK(memchr(err, '\0', 256) != NULL, "%s: unterminated message", what);
    if (rc != 0) {
        FUZZ_CHECK(rc == -1, "%s returned %d", what, rc);
        FUZZ_CHECK(err[0] != '\0', "%s failed without a message", what);
        FUZZ_CHECK(img->pixels == NULL && img->width == 0 && img->height == 0,
                   "%s failed but left an image", what);
        return;
    }
    FUZZ_CHECK(img->width > 0 && img->height > 0 && img->pixels != NULL, "%s: empty image %dx%d",
               what, img->width, img->height);
    FUZZ_CHECK((uint64_t)img->width * (uint64_t)img->height <= FUZZ_MAX_PIXELS,
               "%s: %dx%d is above the pixel cap", what, img->width, img->height);
    fuzz_touch(img->pixels, (size_t)img->width * (size_t)img->height * 3);
}

static void check_tensor(const cli_tensor *t, int rc, const char *err, mobinfer_dtype dtype)
{
    size_t esize = dtype == MOBINFER_DTYPE_FLOAT32 ? 4 : 1;
    int64_t count;
    FUZZ_CHECK(rc == 0, "preprocessing a decoded image failed: %s", err);
    FUZZ_CHECK(t->dtype == dtype && t->rank == 4 && t->dims[0] == 1, "bad tensor header");
    count = fuzz_elements(t->dims, t->rank);
    FUZZ_CHECK(count > 0 && (size_t)count * esize == t->byte_size, "byte_size %zu for %lld x %zu",
               t->byte_size, (long long)count, esize);
    fuzz_touch(t->data, t->byte_size);
}

static void preprocess(const rgb_image *img, size_t size)
{
    char err[256] = "";
    uint32_t h = (uint32_t)size * 2654435761u ^ (uint32_t)img->width * 40503u ^
                 (uint32_t)img->height;
    prep_params p;
    cli_tensor t;
    rgb_image resized, cropped;
    int rc, w, hh;
    mobinfer_dtype dtype = (h & 1) ? MOBINFER_DTYPE_FLOAT32 : MOBINFER_DTYPE_UINT8;

    memset(&p, 0, sizeof p);
    p.resize = (int)((h >> 1) % 97); /* 0: no resize */
    p.crop_h = 1 + (int)((h >> 8) % 96);
    p.crop_w = (h & 2) ? p.crop_h : 1 + (int)((h >> 16) % 96);
    p.mean[0] = 123.675f;
    p.mean[1] = 116.28f;
    p.mean[2] = 103.53f;
    p.std[0] = 58.395f;
    p.std[1] = 57.12f;
    p.std[2] = 57.375f;
    p.bgr = (h >> 4) & 1;
    p.layout = ((h >> 5) & 1) ? PREP_LAYOUT_NHWC : PREP_LAYOUT_NCHW;

    /* The whole pipeline, as the CLI runs it, when the resized image stays
     * small (the CLI itself caps it at IMAGE_DEFAULT_MAX_PIXELS). */
    if (p.resize == 0 ||
        (prep_resize_size(img->width, img->height, p.resize, &w, &hh) == 0 &&
         (uint64_t)w * (uint64_t)hh <= FUZZ_MAX_PIXELS)) {
        rc = prep_image_to_tensor(img, &p, dtype, &t, err, sizeof err);
        check_tensor(&t, rc, err, dtype);
        cli_tensor_free(&t);
    }

    /* prep_resize to an arbitrary small size (any aspect change). */
    w = 1 + (int)((h >> 6) % FUZZ_MAX_PREP_SIDE);
    hh = 1 + (int)((h >> 14) % FUZZ_MAX_PREP_SIDE);
    if ((uint64_t)w * (uint64_t)img->height <= FUZZ_MAX_PIXELS * 4 &&
        (uint64_t)img->width * (uint64_t)hh <= FUZZ_MAX_PIXELS * 4) {
        rc = prep_resize(img, w, hh, &resized, err, sizeof err);
        FUZZ_CHECK(rc == 0, "prep_resize %dx%d -> %dx%d failed: %s", img->width, img->height, w,
                   hh, err);
        FUZZ_CHECK(resized.width == w && resized.height == hh, "prep_resize gave %dx%d",
                   resized.width, resized.height);
        fuzz_touch(resized.pixels, (size_t)w * (size_t)hh * 3);
        /* A crop bigger than the image in one direction, smaller in the other. */
        rc = prep_center_crop(&resized, hh + (int)(h % 5), w > 1 ? w - 1 : 1, &cropped, err,
                              sizeof err);
        FUZZ_CHECK(rc == 0, "prep_center_crop failed: %s", err);
        fuzz_touch(cropped.pixels, (size_t)cropped.width * (size_t)cropped.height * 3);
        rgb_image_free(&cropped);
        rgb_image_free(&resized);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256];
    rgb_image img;
    image_format fmt = image_sniff(data, size);
    int rc;

    /* Through the sniffer, as the CLI calls it; then preprocess. */
    err[0] = '\0';
    rc = image_decode(data, size, FUZZ_MAX_PIXELS, &img, err, sizeof err);
    check_image(&img, rc, err, "image_decode");
    if (getenv("FUZZ_VERBOSE") != NULL) /* for looking at a corpus, never while fuzzing */
        fprintf(stderr, "fuzz_image: %s\n", rc == 0 ? "decoded" : err);
    if (rc == 0) {
        FUZZ_CHECK(fmt != IMAGE_FORMAT_UNKNOWN, "decoded bytes of an unknown format");
        preprocess(&img, size);
    }
    rgb_image_free(&img);

    /* The decoder of the other format must refuse the bytes from its own
     * sniff (the matching one already ran above). */
    if (fmt != IMAGE_FORMAT_PNG) {
        err[0] = '\0';
        rc = image_decode_png(data, size, FUZZ_MAX_PIXELS, &img, err, sizeof err);
        check_image(&img, rc, err, "image_decode_png");
        FUZZ_CHECK(rc != 0, "image_decode_png decoded bytes without the PNG signature");
    }
    if (fmt != IMAGE_FORMAT_JPEG) {
        err[0] = '\0';
        rc = image_decode_jpeg(data, size, FUZZ_MAX_PIXELS, &img, err, sizeof err);
        check_image(&img, rc, err, "image_decode_jpeg");
        FUZZ_CHECK(rc != 0, "image_decode_jpeg decoded bytes without the SOI marker");
    }
    return 0;
}
