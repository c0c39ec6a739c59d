/*
 * Cutting a text line out of the page: the quadrilateral found by the
 * detector is mapped onto an upright rectangle by a perspective transform,
 * sampled bicubically with replicated borders (what PaddleOCR does with
 * OpenCV's warpPerspective), and turned upright when it is much taller than
 * wide (a vertical line read top to bottom).
 */
#ifndef OCR_WARP_H
#define OCR_WARP_H

#include "ocr_image.h"

/* Solves for the homography h (row-major 3x3, h[8] = 1) that maps each
 * from[i] (x, y) onto to[i]. Returns 0, or -1 when the points are degenerate. */
int ocr_homography(const double from[4][2], const double to[4][2], double h[9]);

/* quad: top-left, top-right, bottom-right, bottom-left corners in img's pixel
 * coordinates. Returns 0, or -1 when the quad is degenerate or memory runs out. */
int ocr_crop_quad(const ocr_img *img, const float quad[4][2], ocr_img *out);

#endif
