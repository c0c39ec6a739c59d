/* JPEG decoding through libjpeg(-turbo). libjpeg's default error handler
 * calls exit(), so errors are routed through setjmp/longjmp into a message;
 * a file cut short is an error too (libjpeg would pad it with grey and only
 * warn), matching PIL, which refuses truncated images by default. */
#include "image.h"

#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

/* A progressive JPEG may hold thousands of tiny scans that each cost a pass
 * over the image; real encoders use about ten. */
#define JPEG_MAX_SCANS 500

/* Working memory libjpeg may take (coefficient buffers of progressive files). */
#define JPEG_MAX_MEMORY ((long)768 * 1024 * 1024)

typedef struct jpeg_guard {
    struct jpeg_error_mgr mgr; /* first, so libjpeg's err pointer is ours too */
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX + 16];
} jpeg_guard;

static void jpeg_on_error(j_common_ptr cinfo)
{
    jpeg_guard *guard = (jpeg_guard *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    cinfo->err->format_message(cinfo, text);
    snprintf(guard->message, sizeof guard->message, "jpeg: %s", text);
    longjmp(guard->jump, 1);
}

/* Level -1 is a warning about corrupt data. Premature end of file is fatal;
 * the rest (extraneous bytes between markers and the like) is common in
 * files cameras write and decodes fine, so it is ignored. Trace messages
 * (level >= 0) are never printed. */
static void jpeg_on_message(j_common_ptr cinfo, int level)
{
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF)
        jpeg_on_error(cinfo);
}

static void jpeg_on_progress(j_common_ptr cinfo)
{
    jpeg_guard *guard = (jpeg_guard *)cinfo->err;
    if (cinfo->is_decompressor &&
        ((j_decompress_ptr)cinfo)->input_scan_number > JPEG_MAX_SCANS) {
        snprintf(guard->message, sizeof guard->message, "jpeg: more than %d scans",
                 JPEG_MAX_SCANS);
        longjmp(guard->jump, 1);
    }
}

static unsigned char mul255(unsigned a, unsigned b)
{
    return (unsigned char)((a * b + 127) / 255);
}

/* CMYK to RGB as PIL converts it: R = (255 - C) * (255 - K) / 255. Adobe's
 * encoders store CMYK inverted, which saw_Adobe_marker reveals. */
static void cmyk_row_to_rgb(const unsigned char *in, unsigned char *out, size_t width,
                            int inverted)
{
    size_t x;
    for (x = 0; x < width; x++) {
        unsigned c = in[4 * x], m = in[4 * x + 1], yy = in[4 * x + 2], k = in[4 * x + 3];
        if (!inverted) {
            c = 255 - c;
            m = 255 - m;
            yy = 255 - yy;
            k = 255 - k;
        }
        out[3 * x + 0] = mul255(c, k);
        out[3 * x + 1] = mul255(m, k);
        out[3 * x + 2] = mul255(yy, k);
    }
}

int image_decode_jpeg(const void *bytes, size_t size, uint64_t max_pixels, rgb_image *out,
                      char *err, size_t errlen)
{
    struct jpeg_decompress_struct cinfo;
    jpeg_guard guard;
    /* Assigned after setjmp and needed after a longjmp, hence volatile. */
    unsigned char *volatile pixels = NULL;
    unsigned char *volatile cmyk_row = NULL;
    size_t width, height;
    int cmyk;

    memset(out, 0, sizeof *out);
    memset(&guard, 0, sizeof guard);
    /* jpeg_destroy_decompress on the error path is safe on a zeroed struct. */
    memset(&cinfo, 0, sizeof cinfo);
    if (image_sniff(bytes, size) != IMAGE_FORMAT_JPEG) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "jpeg: not a JPEG file");
        return -1;
    }
    if ((unsigned long)size != size) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "jpeg: file too large");
        return -1;
    }

    cinfo.err = jpeg_std_error(&guard.mgr);
    guard.mgr.error_exit = jpeg_on_error;
    guard.mgr.emit_message = jpeg_on_message;
    if (setjmp(guard.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(cmyk_row);
        free(pixels);
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "%s", guard.message);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.mem->max_memory_to_use = JPEG_MAX_MEMORY;
    guard.progress.progress_monitor = jpeg_on_progress;
    cinfo.progress = &guard.progress;
    jpeg_mem_src(&cinfo, bytes, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);

    if (cinfo.image_width == 0 || cinfo.image_height == 0 ||
        (uint64_t)cinfo.image_width * cinfo.image_height > max_pixels) {
        snprintf(guard.message, sizeof guard.message,
                 "jpeg: image of %ux%u pixels exceeds the limit of %llu", cinfo.image_width,
                 cinfo.image_height, (unsigned long long)max_pixels);
        longjmp(guard.jump, 1);
    }
    cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    /* libjpeg converts YCbCr, RGB and grayscale to RGB itself; it has no
     * CMYK-to-RGB conversion, so CMYK is requested and converted below. */
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    if (cinfo.output_components != (cmyk ? 4 : 3) || cinfo.output_width != cinfo.image_width ||
        cinfo.output_height != cinfo.image_height) {
        snprintf(guard.message, sizeof guard.message, "jpeg: unexpected output layout");
        longjmp(guard.jump, 1);
    }
    width = cinfo.output_width;
    height = cinfo.output_height;
    pixels = malloc(width * height * 3);
    if (cmyk)
        cmyk_row = malloc(width * 4);
    if (pixels == NULL || (cmyk && cmyk_row == NULL)) {
        snprintf(guard.message, sizeof guard.message, "jpeg: out of memory");
        longjmp(guard.jump, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        unsigned char *dst = pixels + (size_t)cinfo.output_scanline * width * 3;
        JSAMPROW row = cmyk ? cmyk_row : dst;
        if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
            snprintf(guard.message, sizeof guard.message, "jpeg: decoder stalled");
            longjmp(guard.jump, 1);
        }
        if (cmyk)
            cmyk_row_to_rgb(cmyk_row, dst, width, cinfo.saw_Adobe_marker);
    }
    /* Not jpeg_finish_decompress: it would insist on reading up to EOI, and
     * the pixels are complete already. */
    jpeg_destroy_decompress(&cinfo);
    free(cmyk_row);
    out->width = (int)width;
    out->height = (int)height;
    out->pixels = pixels;
    return 0;
}
