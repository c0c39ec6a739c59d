/*
 * Image preprocessing, following torchvision's classic evaluation transform
 * Resize(N) -> CenterCrop(H, W) -> ToTensor -> Normalize, but on the 0..255
 * scale: y = (pixel - mean[c]) / std[c].
 *
 * The resize reproduces PIL's bilinear filter (which antialiases when
 * shrinking, unlike textbook bilinear interpolation) including its 8-bit
 * fixed-point rounding, so tensors match what a PIL-based reference feeds
 * a model.
 */
#ifndef MOBINFER_CLI_PREPROCESS_H
#define MOBINFER_CLI_PREPROCESS_H

#include <stddef.h>

#include "cli_tensor.h"
#include "image.h"

typedef enum prep_layout {
    PREP_LAYOUT_NCHW = 0,
    PREP_LAYOUT_NHWC = 1
} prep_layout;

typedef struct prep_params {
    int resize;          /* shorter side after resizing; 0: no resize */
    int crop_h, crop_w;  /* center crop; 0: no crop */
    float mean[3];       /* in R, G, B order whatever the channel order */
    float std[3];        /* in R, G, B order; nonzero */
    int bgr;             /* tensor channels B, G, R instead of R, G, B */
    prep_layout layout;
} prep_params;

/* Output size of torchvision's Resize(shorter) for a w x h image. Returns 0,
 * or -1 if the result would not fit an int. */
int prep_resize_size(int w, int h, int shorter, int *out_w, int *out_h);

/* PIL-compatible bilinear resize to exactly out_w x out_h. */
int prep_resize(const rgb_image *in, int out_w, int out_h, rgb_image *out, char *err,
                size_t errlen);

/* torchvision's CenterCrop: offsets round half to even, as Python's round()
 * does; a crop larger than the image is padded with zeros. */
int prep_center_crop(const rgb_image *in, int crop_h, int crop_w, rgb_image *out, char *err,
                     size_t errlen);

/* The whole pipeline: resize, crop, then a batch-1 tensor of dtype float32
 * (normalised) or uint8 (raw pixels, mean and std ignored) in the layout
 * and channel order asked for. */
int prep_image_to_tensor(const rgb_image *image, const prep_params *params,
                         mobinfer_dtype dtype, cli_tensor *out, char *err, size_t errlen);

#endif
