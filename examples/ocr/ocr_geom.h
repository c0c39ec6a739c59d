/*
 * Plane geometry for text boxes: convex hull, minimum-area enclosing
 * rectangle, and the corner orders PaddleOCR's post-processing relies on.
 */
#ifndef OCR_GEOM_H
#define OCR_GEOM_H

typedef struct ocr_pt {
    double x, y;
} ocr_pt;

/* Convex hull of pts (sorted in place) into hull (room for n + 1 points),
 * counter-clockwise in image coordinates, no collinear points. Returns its
 * size (n itself when n < 3). */
int ocr_convex_hull(ocr_pt *pts, int n, ocr_pt *hull);

/* Smallest-area rectangle enclosing a convex polygon (rotating calipers).
 * corners[0..3] go round the rectangle; *side_a is |c0 c1|, *side_b is
 * |c1 c2|. n >= 1. */
void ocr_min_area_rect(const ocr_pt *hull, int n, ocr_pt corners[4], double *side_a,
                       double *side_b);

/* Reorders a rectangle's corners as PaddleOCR's get_mini_boxes does: of the
 * two leftmost, the upper comes first and the lower last; of the two
 * rightmost, the upper second and the lower third. */
void ocr_order_mini_box(ocr_pt box[4]);

/* Reorders any quadrilateral as top-left, top-right, bottom-right,
 * bottom-left: the two leftmost points (by x) are the left side. */
void ocr_order_clockwise(ocr_pt box[4]);

#endif
