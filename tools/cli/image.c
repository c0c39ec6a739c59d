/* Format sniffing and the shared parts of image decoding. The decoders live
 * in image_png.c and image_jpeg.c, each next to its library's quirks. */
#include "image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

image_format image_sniff(const void *bytes, size_t size)
{
    static const unsigned char png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    const unsigned char *b = bytes;
    if (b == NULL)
        return IMAGE_FORMAT_UNKNOWN;
    if (size >= sizeof png_sig && memcmp(b, png_sig, sizeof png_sig) == 0)
        return IMAGE_FORMAT_PNG;
    if (size >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
        return IMAGE_FORMAT_JPEG;
    return IMAGE_FORMAT_UNKNOWN;
}

int image_decode(const void *bytes, size_t size, uint64_t max_pixels, rgb_image *out, char *err,
                 size_t errlen)
{
    memset(out, 0, sizeof *out);
    switch (image_sniff(bytes, size)) {
    case IMAGE_FORMAT_PNG:
        return image_decode_png(bytes, size, max_pixels, out, err, errlen);
    case IMAGE_FORMAT_JPEG:
        return image_decode_jpeg(bytes, size, max_pixels, out, err, errlen);
    default:
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "image: not a PNG or JPEG file");
        return -1;
    }
}

void rgb_image_free(rgb_image *image)
{
    if (image == NULL)
        return;
    free(image->pixels);
    image->pixels = NULL;
    image->width = 0;
    image->height = 0;
}
