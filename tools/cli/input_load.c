/* Turning --input arguments into tensors for a given model; see inputs.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "fileio.h"
#include "image.h"
#include "inputs.h"
#include "npy.h"

/* Image files are small next to tensors; this only stops absurd reads. */
#define IMAGE_MAX_FILE_BYTES ((uint64_t)512 * 1024 * 1024)

typedef enum file_kind { FILE_NPY, FILE_IMAGE, FILE_UNKNOWN } file_kind;

/* Case-insensitive equality of a file extension with a lower-case word. */
static int ext_is(const char *ext, const char *word)
{
    for (; *ext != '\0' && *word != '\0'; ext++, word++)
        if (tolower((unsigned char)*ext) != *word)
            return 0;
    return *ext == '\0' && *word == '\0';
}

static file_kind kind_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot == NULL || strchr(dot, '/') != NULL)
        return FILE_UNKNOWN;
    if (ext_is(dot + 1, "npy"))
        return FILE_NPY;
    if (ext_is(dot + 1, "png") || ext_is(dot + 1, "jpg") || ext_is(dot + 1, "jpeg"))
        return FILE_IMAGE;
    return FILE_UNKNOWN;
}

static int is_existing_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* "a, b, c" into buf, cut short with "..." if it does not fit. */
static void input_names(const mobinfer_model *model, char *buf, size_t cap)
{
    size_t n = mobinfer_model_input_count(model), k, len = 0;
    buf[0] = '\0';
    for (k = 0; k < n; k++) {
        mobinfer_value_info vi;
        int w;
        if (mobinfer_model_input(model, k, &vi) != MOBINFER_OK)
            continue;
        w = snprintf(buf + len, cap - len, "%s%s", len > 0 ? ", " : "", vi.name);
        if (w < 0 || (size_t)w >= cap - len) {
            if (cap >= 4)
                memcpy(buf + cap - 4, "...", 4);
            return;
        }
        len += (size_t)w;
    }
    if (n == 0)
        snprintf(buf, cap, "none");
}

/* Finds which model input a --input argument names. Input names may
 * contain '=' and paths may too, so the longest input name followed by '='
 * wins; a bare FILE is allowed when the model has a single input. */
static int resolve_spec(const mobinfer_model *model, const char *spec, const char *command,
                        mobinfer_value_info *info, const char **path)
{
    size_t n = mobinfer_model_input_count(model), k, best_len = 0;
    int found = 0;
    const char *eq = strchr(spec, '=');
    char names[512];

    for (k = 0; k < n; k++) {
        mobinfer_value_info vi;
        size_t len;
        if (mobinfer_model_input(model, k, &vi) != MOBINFER_OK)
            continue;
        len = strlen(vi.name);
        if (strncmp(spec, vi.name, len) == 0 && spec[len] == '=' && (!found || len > best_len)) {
            *info = vi;
            *path = spec + len + 1;
            best_len = len;
            found = 1;
        }
    }
    if (found)
        return CLI_EXIT_OK;
    if (n == 1 && (eq == NULL || is_existing_file(spec))) {
        if (mobinfer_model_input(model, 0, info) != MOBINFER_OK)
            return cli_fail_status(MOBINFER_ERR_INTERNAL, "cannot describe the model's input");
        *path = spec;
        return CLI_EXIT_OK;
    }
    input_names(model, names, sizeof names);
    if (eq != NULL)
        return cli_fail_usage(command, "unknown input '%.*s' (the model's inputs: %s)",
                              (int)(eq - spec), spec, names);
    return cli_fail_usage(command,
                          "--input %s: the model has %zu inputs, so name one with "
                          "--input NAME=FILE (the model's inputs: %s)",
                          spec, n, names);
}

static int load_npy(const mobinfer_value_info *info, const char *path, const char *command,
                    cli_tensor *out)
{
    mobinfer_limits limits;
    unsigned char *bytes;
    size_t size;
    npy_array arr;
    char err[512];

    mobinfer_limits_default(&limits);
    if (read_file(path, limits.max_tensor_bytes + NPY_MAX_HEADER_BYTES + 16, &bytes, &size, err,
                  sizeof err) != 0)
        return cli_fail_io("%s", err);
    if (npy_parse(bytes, size, (size_t)limits.max_tensor_bytes, &arr, err, sizeof err) != 0) {
        free(bytes);
        return cli_fail_io("'%s': %s", path, err);
    }
    free(bytes);
    if (info->dtype != MOBINFER_DTYPE_UNDEFINED && arr.header.dtype != info->dtype) {
        int rc = cli_fail_usage(command, "input '%s' is %s but '%s' holds %s", info->name,
                                mobinfer_dtype_name(info->dtype), path,
                                mobinfer_dtype_name(arr.header.dtype));
        npy_array_free(&arr);
        return rc;
    }
    out->dtype = arr.header.dtype;
    out->rank = arr.header.rank;
    memcpy(out->dims, arr.header.dims, sizeof out->dims);
    out->data = arr.data;
    out->byte_size = arr.header.byte_size;
    return CLI_EXIT_OK;
}

static int load_image(const mobinfer_value_info *info, const input_options *o, const char *path,
                      const char *command, cli_tensor *out)
{
    prep_params p = o->prep;
    unsigned char *bytes;
    size_t size;
    rgb_image img;
    char err[512];
    int h_axis, w_axis, rc;

    if (info->rank != 4)
        return cli_fail_usage(command,
                              "input '%s' has rank %zu; an image makes a rank-4 batch-1 "
                              "tensor, so feed this input a .npy file",
                              info->name, info->rank);
    if (info->dtype != MOBINFER_DTYPE_FLOAT32 && info->dtype != MOBINFER_DTYPE_UINT8)
        return cli_fail_usage(command,
                              "input '%s' is %s; images can feed float32 or uint8 inputs only",
                              info->name, mobinfer_dtype_name(info->dtype));
    /* TensorFlow-converted models take [N,H,W,3]; ONNX's own take [N,3,H,W]. */
    if (!o->layout_set)
        p.layout = info->dims[3] == 3 && info->dims[1] != 3 ? PREP_LAYOUT_NHWC : PREP_LAYOUT_NCHW;
    h_axis = p.layout == PREP_LAYOUT_NHWC ? 1 : 2;
    w_axis = h_axis + 1;
    {
        int64_t channels = info->dims[p.layout == PREP_LAYOUT_NHWC ? 3 : 1];
        if (channels >= 0 && channels != 3)
            return cli_fail_usage(command,
                                  "input '%s' has %lld channels in %s layout; images have 3%s",
                                  info->name, (long long)channels,
                                  p.layout == PREP_LAYOUT_NHWC ? "NHWC" : "NCHW",
                                  o->layout_set ? " (check --nhwc/--nchw)" : "");
    }
    if (!o->crop_set && info->dims[h_axis] > 0 && info->dims[w_axis] > 0) {
        if (info->dims[h_axis] > 65536 || info->dims[w_axis] > 65536)
            return cli_fail_usage(command, "input '%s' is too large for an image", info->name);
        p.crop_h = (int)info->dims[h_axis];
        p.crop_w = (int)info->dims[w_axis];
    }

    if (read_file(path, IMAGE_MAX_FILE_BYTES, &bytes, &size, err, sizeof err) != 0)
        return cli_fail_io("%s", err);
    if (image_decode(bytes, size, IMAGE_DEFAULT_MAX_PIXELS, &img, err, sizeof err) != 0) {
        free(bytes);
        return cli_fail_io("'%s': %s", path, err);
    }
    free(bytes);
    if (p.resize == 0 && p.crop_h > 0 && (img.width != p.crop_w || img.height != p.crop_h))
        cli_note("'%s' is %dx%d and is center-cropped to %dx%d without resizing; "
                 "--resize N or --preset NAME resizes it first",
                 path, img.width, img.height, p.crop_w, p.crop_h);
    rc = prep_image_to_tensor(&img, &p, info->dtype, out, err, sizeof err);
    rgb_image_free(&img);
    if (rc != 0)
        return cli_fail_usage(command, "'%s': %s", path, err);
    return CLI_EXIT_OK;
}

int inputs_load(const mobinfer_model *model, const input_options *o, const char *command,
                loaded_inputs *out)
{
    size_t s;
    out->count = 0;
    out->items = calloc(o->num_specs > 0 ? o->num_specs : 1, sizeof *out->items);
    if (out->items == NULL)
        return cli_fail_io("out of memory");
    for (s = 0; s < o->num_specs; s++) {
        mobinfer_value_info info;
        const char *path = NULL;
        loaded_input *item;
        int rc = resolve_spec(model, o->specs[s], command, &info, &path);
        if (rc != CLI_EXIT_OK)
            return rc;
        if (inputs_find(out, info.name) != NULL)
            return cli_fail_usage(command, "input '%s' is given more than once", info.name);
        item = &out->items[out->count];
        item->name = info.name;
        item->path = path;
        switch (kind_of(path)) {
        case FILE_NPY:
            rc = load_npy(&info, path, command, &item->tensor);
            break;
        case FILE_IMAGE:
            rc = load_image(&info, o, path, command, &item->tensor);
            break;
        default:
            rc = cli_fail_usage(command,
                                "cannot tell the format of '%s' from its extension "
                                "(.npy, .png, .jpg or .jpeg)",
                                path);
        }
        if (rc != CLI_EXIT_OK)
            return rc;
        out->count++;
    }
    return CLI_EXIT_OK;
}

int inputs_require_all(const mobinfer_model *model, const loaded_inputs *in,
                       const char *command)
{
    size_t n = mobinfer_model_input_count(model), k;
    for (k = 0; k < n; k++) {
        mobinfer_value_info vi;
        if (mobinfer_model_input(model, k, &vi) != MOBINFER_OK)
            continue;
        if (inputs_find(in, vi.name) == NULL)
            return cli_fail_usage(command, "missing input '%s'; give it with --input %s=FILE",
                                  vi.name, vi.name);
    }
    return CLI_EXIT_OK;
}

const loaded_input *inputs_find(const loaded_inputs *in, const char *name)
{
    size_t k;
    for (k = 0; k < in->count; k++)
        if (strcmp(in->items[k].name, name) == 0)
            return &in->items[k];
    return NULL;
}

void loaded_inputs_free(loaded_inputs *in)
{
    size_t k;
    if (in->items != NULL)
        for (k = 0; k < in->count; k++)
            cli_tensor_free(&in->items[k].tensor);
    free(in->items);
    in->items = NULL;
    in->count = 0;
}
