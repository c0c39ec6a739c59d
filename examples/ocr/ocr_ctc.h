/*
 * The recogniser's character dictionary and greedy CTC decoding.
 *
 * Class 0 is the CTC blank, classes 1..n are the dictionary's lines in
 * order, and class n + 1 is a space: PaddleOCR appends it when the model was
 * trained with spaces (use_space_char), as the shipped models were.
 */
#ifndef OCR_CTC_H
#define OCR_CTC_H

#include <stddef.h>

typedef struct ocr_dict {
    char *text;       /* owned: the dictionary, its line breaks replaced by NULs */
    const char **tok; /* owned: tok[class] points into text (or at a literal) */
    int classes;      /* n + 2 */
} ocr_dict;

/* Takes ownership of text (malloc'ed, len bytes, NUL-terminated), one
 * character per line. Returns 0, or -1 when memory runs out (text is freed
 * either way). */
int ocr_dict_init(ocr_dict *d, char *text, size_t len);
void ocr_dict_free(ocr_dict *d);

/* probs: steps x classes, each row a distribution. Picks the most likely
 * class at each step, drops repeats and blanks, and joins the characters
 * into *text (malloc'ed UTF-8). *score is the mean probability of the
 * characters kept (0 when none). Returns 0, or -1 when memory runs out. */
int ocr_ctc_decode(const ocr_dict *d, const float *probs, int steps, char **text, float *score);

#endif
