/*
 * Differentiable Binarization post-processing: from the detector's text
 * probability map to text-line quadrilaterals, with PaddleOCR's standard
 * steps and parameters (threshold, 2x2 dilation, one box per connected
 * region, mean probability inside the box, expansion by the unclip ratio).
 *
 * One difference from the OpenCV-based original: regions are 8-connected
 * components rather than every contour, so the holes of a ring-shaped region
 * do not become boxes of their own.
 */
#ifndef OCR_DB_H
#define OCR_DB_H

typedef struct ocr_db_params {
    float thresh;       /* probability that marks a text pixel: 0.3          */
    float box_thresh;   /* minimum mean probability inside a box: 0.5         */
    float unclip_ratio; /* expansion: area * ratio / perimeter, 1.6           */
    int max_candidates; /* regions looked at, at most: 1000                   */
    int use_dilation;   /* grow the bitmap by one pixel right and down: 1     */
} ocr_db_params;

void ocr_db_params_default(ocr_db_params *p);

typedef struct ocr_box {
    float pt[4][2]; /* top-left, top-right, bottom-right, bottom-left (x, y) */
    float score;    /* detection: mean probability; after recognition: text score */
} ocr_box;

/* prob: map_h x map_w probabilities for an image of dest_w x dest_h pixels.
 * On success *boxes (malloc'ed, freed by the caller; NULL when *count is 0)
 * holds the boxes in image pixels, corners ordered clockwise from top-left,
 * integral and inside the image; boxes of side 3 pixels or less are dropped.
 * Returns 0, or -1 when memory runs out. */
int ocr_db_boxes(const float *prob, int map_h, int map_w, int dest_w, int dest_h,
                 const ocr_db_params *p, ocr_box **boxes, int *count);

/* Sorts boxes into reading order: by the top-left corner's y then x, then
 * boxes whose tops are within 10 pixels are put left to right. */
void ocr_sort_boxes(ocr_box *boxes, int count);

#endif
