#include "ocr_engine.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ocr_ctc.h"
#include "ocr_net.h"
#include "ocr_onnx_meta.h"
#include "ocr_warp.h"

/* rapidocr's page limits: longer side at most 2000 pixels, shorter side at
 * least 30, and pages lower than 30 pixels or wider than 8:1 get black bands
 * above and below so the detector sees a workable shape. */
enum { PAGE_MAX_SIDE = 2000, PAGE_MIN_SIDE = 30, LETTERBOX_MIN_HEIGHT = 30, LETTERBOX_RATIO = 8 };

/* Detector inputs larger than this are refused (64 megapixels, 768 MiB of
 * float input); rapidocr's page limits keep real pages far below it. */
#define DET_MAX_PIXELS ((int64_t)64 * 1024 * 1024)

/* Classifier input 3x48x192; recogniser input 3x48xW with W at least 320. */
enum { CLS_H = 48, CLS_W = 192, REC_H = 48, REC_MIN_W = 320 };

/* Recogniser widths are rounded up to a multiple of this so that a few
 * sessions serve every line. The padding is zeros, as when rapidocr pads a
 * line to the widest one of its batch. */
enum { REC_WIDTH_STEP = 160 };

struct ocr_engine {
    ocr_options o;
    char *paths[3];
    ocr_net det, cls, rec;
    ocr_dict dict;
};

void ocr_options_default(ocr_options *o)
{
    o->num_threads = 1;
    o->reference = 0;
    o->det_limit_side = 736;
    ocr_db_params_default(&o->db);
    o->use_cls = 1;
    o->cls_thresh = 0.9f;
    o->text_score = 0.5f;
}

void ocr_result_free(ocr_result *r)
{
    if (r == NULL)
        return;
    for (int i = 0; i < r->count; i++)
        free(r->lines[i].text);
    free(r->lines);
    r->lines = NULL;
    r->count = 0;
}

static char *join_path(const char *dir, const char *file)
{
    size_t n = strlen(dir) + strlen(file) + 2;
    char *p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s", dir, file);
    return p;
}

void ocr_engine_free(ocr_engine *e)
{
    if (e == NULL)
        return;
    ocr_net_free(&e->det);
    ocr_net_free(&e->cls);
    ocr_net_free(&e->rec);
    ocr_dict_free(&e->dict);
    for (int i = 0; i < 3; i++)
        free(e->paths[i]);
    free(e);
}

static int load_dict(ocr_engine *e, char *err, size_t errlen)
{
    char *text;
    size_t len;
    int rc = ocr_onnx_metadata(e->paths[2], "character", &text, &len, err, errlen);
    if (rc == 1)
        snprintf(err, errlen, "%s: no 'character' dictionary in the model's metadata", e->paths[2]);
    if (rc != 0)
        return -1;
    if (ocr_dict_init(&e->dict, text, len) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    mobinfer_value_info out;
    if (mobinfer_model_output(e->rec.model, 0, &out) != MOBINFER_OK || out.rank != 3 ||
        (out.dims[2] >= 0 && out.dims[2] != e->dict.classes)) {
        snprintf(err, errlen, "%s: the output does not have one class per dictionary entry (%d)",
                 e->paths[2], e->dict.classes);
        return -1;
    }
    return 0;
}

int ocr_engine_create(const char *models_dir, const ocr_options *o, ocr_engine **out, char *err,
                      size_t errlen)
{
    *out = NULL;
    ocr_engine *e = calloc(1, sizeof *e);
    if (e == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    e->o = *o;
    const char *files[3] = {OCR_DET_MODEL, OCR_CLS_MODEL, OCR_REC_MODEL};
    ocr_net *nets[3] = {&e->det, &e->cls, &e->rec};
    for (int i = 0; i < 3; i++) {
        e->paths[i] = join_path(models_dir, files[i]);
        if (e->paths[i] == NULL) {
            snprintf(err, errlen, "out of memory");
            ocr_engine_free(e);
            return -1;
        }
        if (ocr_net_load(nets[i], e->paths[i], o->num_threads, o->reference, err, errlen) != 0) {
            ocr_engine_free(e);
            return -1;
        }
    }
    if (load_dict(e, err, errlen) != 0) {
        ocr_engine_free(e);
        return -1;
    }
    *out = e;
    return 0;
}

/* rapidocr's size rule: scale by `ratio`, then round each side to a
 * multiple of 32 (Python's round: halves to even). */
static void scaled_size_32(int h, int w, double ratio, int *oh, int *ow)
{
    *oh = (int)(nearbyint((int)(h * ratio) / 32.0) * 32);
    *ow = (int)(nearbyint((int)(w * ratio) / 32.0) * 32);
}

/* The page limits. *page is the image the pipeline works on from here
 * (owned in *scaled when a resize or letterbox was needed); a point (x, y)
 * of it is (x * *rx, (y - *top) * *ry) in the original. */
static int fit_page(const ocr_img *orig, ocr_img *scaled, const ocr_img **page, double *rx,
                    double *ry, int *top, char *err, size_t errlen)
{
    snprintf(err, errlen, "out of memory");
    *page = orig;
    *rx = *ry = 1.0;
    *top = 0;
    int h = orig->height, w = orig->width;
    int mx = h > w ? h : w;
    int nh = h, nw = w;
    if (mx > PAGE_MAX_SIDE)
        scaled_size_32(h, w, (double)PAGE_MAX_SIDE / mx, &nh, &nw);
    int nmn = nh < nw ? nh : nw;
    if (nmn < PAGE_MIN_SIDE)
        scaled_size_32(nh, nw, (double)PAGE_MIN_SIDE / nmn, &nh, &nw);
    ocr_img resized = {0, 0, NULL};
    if (nh != h || nw != w) {
        if (nh <= 0 || nw <= 0 || ocr_img_resize(orig, nw, nh, &resized) != 0)
            return -1;
        *rx = (double)w / nw;
        *ry = (double)h / nh;
        *page = &resized;
    }
    if (nh <= LETTERBOX_MIN_HEIGHT || (double)nw / nh > LETTERBOX_RATIO) {
        int want = (int)(nw / (double)LETTERBOX_RATIO);
        if (want < LETTERBOX_MIN_HEIGHT)
            want = LETTERBOX_MIN_HEIGHT;
        int pad = abs(2 * want - nh) / 2;
        /* A line of pixels, enlarged to the 30-pixel minimum, would be
         * letterboxed into a page of hundreds of megapixels. */
        if ((int64_t)(nh + 2 * pad) * nw > DET_MAX_PIXELS) {
            snprintf(err, errlen, "a %dx%d image is too thin to read", orig->width, orig->height);
            ocr_img_free(&resized);
            return -1;
        }
        ocr_img padded;
        int rc = ocr_img_pad_rows(*page, pad, &padded);
        ocr_img_free(&resized);
        if (rc != 0)
            return -1;
        *top = pad;
        *scaled = padded;
        *page = scaled;
        return 0;
    }
    if (resized.px != NULL) {
        *scaled = resized;
        *page = scaled;
    }
    return 0;
}

static int detect(ocr_engine *e, const ocr_img *page, ocr_box **boxes, int *count, char *err,
                  size_t errlen)
{
    int h = page->height, w = page->width, mn = h < w ? h : w;
    double ratio = mn < e->o.det_limit_side ? (double)e->o.det_limit_side / mn : 1.0;
    int dh, dw;
    scaled_size_32(h, w, ratio, &dh, &dw);
    *boxes = NULL;
    *count = 0;
    if (dh <= 0 || dw <= 0)
        return 0;
    /* fit_page keeps pages far below this; the check guards the allocation. */
    if ((int64_t)dh * dw > DET_MAX_PIXELS) {
        snprintf(err, errlen, "the page would need a %dx%d detector input: too large", dw, dh);
        return -1;
    }
    ocr_img resized;
    float *x = malloc((size_t)3 * dh * dw * sizeof *x);
    if (x == NULL || ocr_img_resize(page, dw, dh, &resized) != 0) {
        free(x);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ocr_img_to_chw(&resized, x, dw);
    ocr_img_free(&resized);
    const int64_t dims[4] = {1, 3, dh, dw};
    mobinfer_tensor prob;
    int rc = ocr_net_run(&e->det, dims, x, &prob, err, errlen);
    free(x);
    if (rc != 0)
        return -1;
    if (prob.rank != 4 || prob.dims[2] != dh || prob.dims[3] != dw) {
        snprintf(err, errlen, "detector: unexpected output shape");
        return -1;
    }
    if (ocr_db_boxes(prob.data, dh, dw, w, h, &e->o.db, boxes, count) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ocr_sort_boxes(*boxes, *count);
    return 0;
}

/* ceil(48 * w / h), the width a line gets at the models' height. */
static int width_at_height(const ocr_img *line, int height)
{
    return (int)ceil(height * ((double)line->width / line->height));
}

/* Turns the line upside down when the classifier is sure it is. */
static int classify(ocr_engine *e, ocr_img *line, char *err, size_t errlen)
{
    int rw = width_at_height(line, CLS_H);
    if (rw > CLS_W)
        rw = CLS_W;
    ocr_img resized;
    float *x = malloc((size_t)3 * CLS_H * CLS_W * sizeof *x);
    if (x == NULL || ocr_img_resize(line, rw, CLS_H, &resized) != 0) {
        free(x);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ocr_img_to_chw(&resized, x, CLS_W);
    ocr_img_free(&resized);
    const int64_t dims[4] = {1, 3, CLS_H, CLS_W};
    mobinfer_tensor p;
    int rc = ocr_net_run(&e->cls, dims, x, &p, err, errlen);
    free(x);
    if (rc != 0)
        return -1;
    if (p.byte_size != 2 * sizeof(float)) {
        snprintf(err, errlen, "classifier: expected two classes");
        return -1;
    }
    const float *prob = p.data;
    if (prob[1] > prob[0] && prob[1] > e->o.cls_thresh)
        ocr_img_rotate180(line);
    return 0;
}

static int recognize(ocr_engine *e, const ocr_img *line, char **text, float *score, char *err,
                     size_t errlen)
{
    double ratio = (double)line->width / line->height;
    double max_ratio = fmax((double)REC_MIN_W / REC_H, ratio);
    int natural_w = (int)(REC_H * max_ratio);
    int rw = width_at_height(line, REC_H);
    if (rw > natural_w)
        rw = natural_w;
    int bucket = (natural_w + REC_WIDTH_STEP - 1) / REC_WIDTH_STEP * REC_WIDTH_STEP;
    if (bucket < REC_MIN_W)
        bucket = REC_MIN_W;
    ocr_img resized;
    float *x = malloc((size_t)3 * REC_H * bucket * sizeof *x);
    if (x == NULL || ocr_img_resize(line, rw, REC_H, &resized) != 0) {
        free(x);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    ocr_img_to_chw(&resized, x, bucket);
    ocr_img_free(&resized);
    const int64_t dims[4] = {1, 3, REC_H, bucket};
    mobinfer_tensor p;
    int rc = ocr_net_run(&e->rec, dims, x, &p, err, errlen);
    free(x);
    if (rc != 0)
        return -1;
    if (p.rank != 3 || p.dims[2] != e->dict.classes) {
        snprintf(err, errlen, "recogniser: unexpected output shape");
        return -1;
    }
    if (ocr_ctc_decode(&e->dict, p.data, (int)p.dims[1], text, score) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

static double plan_total(const ocr_engine *e)
{
    return e->det.plan_ms + e->cls.plan_ms + e->rec.plan_ms;
}

int ocr_engine_run(ocr_engine *e, const ocr_img *orig, ocr_result *out, ocr_timing *timing,
                   char *err, size_t errlen)
{
    ocr_timing t;
    memset(&t, 0, sizeof t);
    out->lines = NULL;
    out->count = 0;
    ocr_img scaled = {0, 0, NULL};
    const ocr_img *page;
    double rx, ry;
    int top;
    double plan0 = plan_total(e), t0 = ocr_now_ms();
    if (fit_page(orig, &scaled, &page, &rx, &ry, &top, err, errlen) != 0)
        return -1;
    ocr_box *boxes;
    int n;
    if (detect(e, page, &boxes, &n, err, errlen) != 0) {
        ocr_img_free(&scaled);
        return -1;
    }
    double plan1 = plan_total(e), t1 = ocr_now_ms();
    t.det_ms = t1 - t0 - (plan1 - plan0);
    t.lines_detected = n;
    int rc = 0;
    out->lines = n ? calloc((size_t)n, sizeof *out->lines) : NULL;
    if (n && out->lines == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    for (int i = 0; i < n && rc == 0; i++) {
        ocr_img line;
        if (ocr_crop_quad(page, (const float(*)[2])boxes[i].pt, &line) != 0)
            continue; /* a degenerate box: nothing to read */
        double a = ocr_now_ms(), pa = plan_total(e);
        if (e->o.use_cls)
            rc = classify(e, &line, err, errlen);
        double b = ocr_now_ms(), pb = plan_total(e);
        t.cls_ms += b - a - (pb - pa);
        char *text = NULL;
        float score = 0;
        if (rc == 0)
            rc = recognize(e, &line, &text, &score, err, errlen);
        t.rec_ms += ocr_now_ms() - b - (plan_total(e) - pb);
        ocr_img_free(&line);
        if (rc != 0 || score < e->o.text_score) {
            free(text);
            continue;
        }
        ocr_line *l = &out->lines[out->count++];
        l->text = text;
        l->score = score;
        for (int k = 0; k < 4; k++) {
            double x = boxes[i].pt[k][0] * rx, y = (boxes[i].pt[k][1] - top) * ry;
            l->box[k][0] = (float)fmin(fmax(x, 0), orig->width);
            l->box[k][1] = (float)fmin(fmax(y, 0), orig->height);
        }
    }
    free(boxes);
    ocr_img_free(&scaled);
    t.plan_ms = plan_total(e) - plan0;
    if (timing != NULL)
        *timing = t;
    if (rc != 0)
        ocr_result_free(out);
    return rc;
}
