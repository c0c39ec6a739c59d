/*
 * 8-bit three-channel images and the few operations the OCR pipeline does on
 * them. Pixels stay uint8 between steps (rounded after every resize or warp)
 * because PaddleOCR's Python pipeline does the same through OpenCV, and the
 * models were trained on what that produces.
 */
#ifndef OCR_IMAGE_H
#define OCR_IMAGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ocr_img {
    int width;
    int height;
    uint8_t *px; /* owned; width * height * 3 bytes, row-major, interleaved */
} ocr_img;

/* Allocates an image of the given size (contents undefined). Returns 0, or
 * -1 when the size is not positive or memory runs out. */
int ocr_img_alloc(ocr_img *img, int width, int height);
void ocr_img_free(ocr_img *img);

/* Copies interleaved RGB into a new BGR image: the PaddleOCR models were
 * trained on OpenCV's BGR order. */
int ocr_img_from_rgb(ocr_img *out, const uint8_t *rgb, int width, int height);

/* Bilinear resize with pixel centres aligned (OpenCV's INTER_LINEAR). */
int ocr_img_resize(const ocr_img *src, int width, int height, ocr_img *out);

/* Quarter turn counter-clockwise (numpy's rot90) and half turn. */
int ocr_img_rotate90_ccw(const ocr_img *src, ocr_img *out);
void ocr_img_rotate180(ocr_img *img);

/* Adds `rows` black rows above and below. */
int ocr_img_pad_rows(const ocr_img *src, int rows, ocr_img *out);

/* Writes the image as float CHW into dst (3 x height x dst_width), scaled to
 * (p / 255 - 0.5) / 0.5; columns from img->width to dst_width are zero, the
 * padding PaddleOCR's classifier and recogniser expect. img->width must not
 * exceed dst_width. */
void ocr_img_to_chw(const ocr_img *img, float *dst, int dst_width);

#endif
