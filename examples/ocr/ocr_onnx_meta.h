/*
 * Reads one entry of an ONNX model's metadata_props without loading the
 * model: PaddleOCR's recogniser carries its character dictionary there
 * (key "character", one character per line), and mobinfer's API does not
 * expose model metadata.
 */
#ifndef OCR_ONNX_META_H
#define OCR_ONNX_META_H

#include <stddef.h>

/* On success returns 0 and *value (malloc'ed, NUL-terminated, freed by the
 * caller) with *len bytes. Returns 1 when the key is absent, -1 when the
 * file cannot be read or is malformed (message in err). */
int ocr_onnx_metadata(const char *path, const char *key, char **value, size_t *len, char *err,
                      size_t errlen);

#endif
