/*
 * mobinfer-ocr: prints the text lines of a PNG or JPEG image, one per line,
 *   x1,y1 x2,y2 x3,y3 x4,y4 <TAB> score <TAB> text
 * corners clockwise from the top-left in image pixels, lines in reading
 * order (top to bottom, then left to right), text in UTF-8.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "ocr_engine.h"
#include "ocr_net.h"

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

/* Images larger than this are refused before decoding (PNG/JPEG headers). */
#define MAX_FILE_BYTES ((long)512 * 1024 * 1024)

static void usage(FILE *f)
{
    fprintf(f,
            "usage: mobinfer-ocr [--models DIR] [--threads N] [--no-cls] [--reference] [--repeat N]\n"
            "                    [--time] IMAGE.{png,jpg}\n"
            "\n"
            "Prints each text line as 'x1,y1 x2,y2 x3,y3 x4,y4<TAB>score<TAB>text'.\n"
            "\n"
            "  --models DIR  directory with " OCR_DET_MODEL ",\n"
            "                " OCR_CLS_MODEL " and " OCR_REC_MODEL "\n"
            "                (default: $MOBINFER_OCR_MODELS); rapidocr-onnxruntime ships them\n"
            "                in its package directory rapidocr_onnxruntime/models/\n"
            "  --threads N   threads per mobinfer session (default 1)\n"
            "  --no-cls      skip the text-direction classifier\n"
            "  --reference   run the models as written on mobinfer's reference kernels\n"
            "                (no graph optimization, no SIMD): to isolate a suspected\n"
            "                optimizer or kernel problem\n"
            "  --repeat N    read the image N times (sessions are reused), for timing\n"
            "  --time        print per-stage times in milliseconds to stderr\n");
}

static int read_whole_file(const char *path, unsigned char **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    long n = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (n < 0 || n > MAX_FILE_BYTES || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    unsigned char *buf = malloc(n ? (size_t)n : 1);
    if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return -1;
    }
    fclose(f);
    *data = buf;
    *size = (size_t)n;
    return 0;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

static void print_result(const ocr_result *r)
{
    for (int i = 0; i < r->count; i++) {
        const ocr_line *l = &r->lines[i];
        for (int k = 0; k < 4; k++)
            printf("%s%ld,%ld", k ? " " : "", lroundf(l->box[k][0]), lroundf(l->box[k][1]));
        printf("\t%.4f\t%s\n", l->score, l->text);
    }
}

int main(int argc, char **argv)
{
    const char *models = getenv("MOBINFER_OCR_MODELS"), *image_path = NULL;
    int repeat = 1, show_time = 0;
    ocr_options o;
    ocr_options_default(&o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--models") == 0 && has_value) {
            models = argv[++i];
        } else if (strcmp(a, "--threads") == 0 && has_value) {
            if (parse_int(argv[++i], 1, 256, &o.num_threads) != 0) {
                fprintf(stderr, "mobinfer-ocr: --threads takes a number from 1 to 256\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "--repeat") == 0 && has_value) {
            if (parse_int(argv[++i], 1, 1000000, &repeat) != 0) {
                fprintf(stderr, "mobinfer-ocr: --repeat takes a positive number\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(a, "--no-cls") == 0) {
            o.use_cls = 0;
        } else if (strcmp(a, "--reference") == 0) {
            o.reference = 1;
        } else if (strcmp(a, "--time") == 0) {
            show_time = 1;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "mobinfer-ocr: unknown option or missing value: %s\n", a);
            usage(stderr);
            return EXIT_USAGE;
        } else if (image_path == NULL) {
            image_path = a;
        } else {
            fprintf(stderr, "mobinfer-ocr: one image at a time\n");
            return EXIT_USAGE;
        }
    }
    if (image_path == NULL) {
        usage(stderr);
        return EXIT_USAGE;
    }
    if (models == NULL || models[0] == '\0') {
        fprintf(stderr, "mobinfer-ocr: no models directory: pass --models DIR or set "
                        "MOBINFER_OCR_MODELS\n");
        return EXIT_USAGE;
    }

    double t_start = ocr_now_ms();
    unsigned char *bytes;
    size_t size;
    if (read_whole_file(image_path, &bytes, &size) != 0) {
        fprintf(stderr, "mobinfer-ocr: cannot read %s\n", image_path);
        return EXIT_IO;
    }
    char err[512];
    rgb_image rgb;
    int rc = image_decode(bytes, size, IMAGE_DEFAULT_MAX_PIXELS, &rgb, err, sizeof err);
    free(bytes);
    if (rc != 0) {
        fprintf(stderr, "mobinfer-ocr: %s: %s\n", image_path, err);
        return EXIT_IO;
    }
    ocr_img page;
    rc = ocr_img_from_rgb(&page, rgb.pixels, rgb.width, rgb.height);
    rgb_image_free(&rgb);
    if (rc != 0) {
        fprintf(stderr, "mobinfer-ocr: out of memory\n");
        return EXIT_RUNTIME;
    }
    double t_decoded = ocr_now_ms();

    ocr_engine *engine;
    if (ocr_engine_create(models, &o, &engine, err, sizeof err) != 0) {
        fprintf(stderr, "mobinfer-ocr: %s\n", err);
        ocr_img_free(&page);
        return EXIT_RUNTIME;
    }
    double t_loaded = ocr_now_ms();
    ocr_result result = {NULL, 0};
    int status = 0;
    for (int r = 0; r < repeat; r++) {
        ocr_result_free(&result);
        ocr_timing t;
        double a = ocr_now_ms();
        if (ocr_engine_run(engine, &page, &result, &t, err, sizeof err) != 0) {
            fprintf(stderr, "mobinfer-ocr: %s\n", err);
            status = EXIT_RUNTIME;
            break;
        }
        if (show_time)
            fprintf(stderr,
                    "time: run %d: total %.1f ms = det %.1f + cls %.1f + rec %.1f + planning "
                    "%.1f (%d boxes, %d lines)\n",
                    r + 1, ocr_now_ms() - a, t.det_ms, t.cls_ms, t.rec_ms, t.plan_ms,
                    t.lines_detected, result.count);
    }
    if (status == 0) {
        print_result(&result);
        if (show_time)
            fprintf(stderr, "time: image decode %.1f ms, model load %.1f ms, process %.1f ms\n",
                    t_decoded - t_start, t_loaded - t_decoded, ocr_now_ms() - t_start);
    }
    ocr_result_free(&result);
    ocr_engine_free(engine);
    ocr_img_free(&page);
    return status;
}
