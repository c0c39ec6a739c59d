/*
 * The OCR pipeline of PaddleOCR's mobile models, as rapidocr runs them:
 *   page -> detector (DB) -> text-line boxes -> perspective crop
 *        -> direction classifier (0 or 180 degrees) -> recogniser (CTC)
 * with rapidocr-onnxruntime 1.4.4's default parameters.
 */
#ifndef OCR_ENGINE_H
#define OCR_ENGINE_H

#include <stddef.h>

#include "ocr_db.h"
#include "ocr_image.h"

/* File names of the models in the models directory (rapidocr's package
 * directory rapidocr_onnxruntime/models/ holds them). */
#define OCR_DET_MODEL "ch_PP-OCRv4_det_infer.onnx"
#define OCR_CLS_MODEL "ch_ppocr_mobile_v2.0_cls_infer.onnx"
#define OCR_REC_MODEL "ch_PP-OCRv4_rec_infer.onnx"

typedef struct ocr_options {
    int num_threads;      /* mobinfer session threads: 1                          */
    int reference;        /* mobinfer's unoptimized reference path: 0             */
    int det_limit_side;   /* the page's shorter side is scaled up to this: 736     */
    ocr_db_params db;     /* see ocr_db.h                                         */
    int use_cls;          /* run the direction classifier: 1                      */
    float cls_thresh;     /* turn a line when "180" is this sure: 0.9             */
    float text_score;     /* drop lines recognised with a lower mean score: 0.5   */
} ocr_options;

void ocr_options_default(ocr_options *o);

typedef struct ocr_line {
    float box[4][2]; /* top-left, top-right, bottom-right, bottom-left in page pixels */
    float score;     /* recognition score (mean character probability)              */
    char *text;      /* owned by the result; UTF-8                                  */
} ocr_line;

typedef struct ocr_result {
    ocr_line *lines; /* owned; in reading order */
    int count;
} ocr_result;

void ocr_result_free(ocr_result *r);

/* Milliseconds spent in each stage of the last run (model runs and their
 * pre- and post-processing), and in creating sessions for new shapes. */
typedef struct ocr_timing {
    double det_ms, cls_ms, rec_ms, plan_ms;
    int lines_detected;
} ocr_timing;

typedef struct ocr_engine ocr_engine;

/* Loads the three models from models_dir. Returns 0, or -1 with a message. */
int ocr_engine_create(const char *models_dir, const ocr_options *o, ocr_engine **out, char *err,
                      size_t errlen);
void ocr_engine_free(ocr_engine *e);

/* Reads the text of a BGR page. timing may be NULL. Returns 0, or -1 with a
 * message. */
int ocr_engine_run(ocr_engine *e, const ocr_img *page, ocr_result *out, ocr_timing *timing,
                   char *err, size_t errlen);

#endif
