#include "ocr_ctc.h"

#include <stdlib.h>
#include <string.h>

int ocr_dict_init(ocr_dict *d, char *text, size_t len)
{
    d->text = text;
    d->tok = NULL;
    d->classes = 0;
    size_t lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    d->tok = malloc((lines + 2) * sizeof *d->tok);
    if (d->tok == NULL) {
        ocr_dict_free(d);
        return -1;
    }
    int n = 0;
    d->tok[n++] = "";
    char *line = text;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && text[i] != '\n')
            continue;
        text[i] = '\0';
        if (i > 0 && text + i > line && text[i - 1] == '\r')
            text[i - 1] = '\0';
        /* Like Python's splitlines(), a final line break ends the last line
         * rather than starting an empty one. */
        if (!(i == len && line == text + len))
            d->tok[n++] = line;
        line = text + i + 1;
    }
    d->tok[n++] = " ";
    d->classes = n;
    return 0;
}

void ocr_dict_free(ocr_dict *d)
{
    if (d == NULL)
        return;
    free(d->text);
    free(d->tok);
    d->text = NULL;
    d->tok = NULL;
    d->classes = 0;
}

int ocr_ctc_decode(const ocr_dict *d, const float *probs, int steps, char **text, float *score)
{
    size_t cap = 64, len = 0;
    char *out = malloc(cap);
    if (out == NULL)
        return -1;
    out[0] = '\0';
    double sum = 0;
    int kept = 0, prev = -1;
    for (int t = 0; t < steps; t++) {
        const float *row = probs + (size_t)t * d->classes;
        int best = 0;
        for (int c = 1; c < d->classes; c++)
            if (row[c] > row[best])
                best = c;
        int repeat = best == prev;
        prev = best;
        if (repeat || best == 0)
            continue;
        const char *s = d->tok[best];
        size_t sl = strlen(s);
        if (len + sl + 1 > cap) {
            while (len + sl + 1 > cap)
                cap *= 2;
            char *grown = realloc(out, cap);
            if (grown == NULL) {
                free(out);
                return -1;
            }
            out = grown;
        }
        memcpy(out + len, s, sl + 1);
        len += sl;
        sum += row[best];
        kept++;
    }
    *text = out;
    *score = kept ? (float)(sum / kept) : 0.0f;
    return 0;
}
