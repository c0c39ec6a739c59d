/* Parsing of the input options; see inputs.h. Loading is in input_load.c. */
#include "inputs.h"

#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"

const char input_options_help[] =
    "Inputs:\n"
    "  --input NAME=FILE    feed model input NAME from FILE (.npy, .png, .jpg, .jpeg;\n"
    "                       chosen by extension); repeatable. For a model with one\n"
    "                       input, --input FILE is enough.\n"
    "Image preprocessing (images only; .npy files are fed as they are):\n"
    "  --resize N           resize so the shorter side is N (bilinear, like\n"
    "                       torchvision Resize(N) on a PIL image)\n"
    "  --crop H[xW]         center crop (default: the model input's H and W if\n"
    "                       fixed, else the preset's crop, else no crop)\n"
    "  --mean R,G,B         subtracted from pixels on the 0..255 scale (default 0,0,0)\n"
    "  --std R,G,B          pixels are then divided by these (default 1,1,1)\n"
    "  --bgr                channel order B,G,R (mean/std stay in R,G,B order)\n"
    "  --nhwc | --nchw      tensor layout (default: NHWC if the model input looks\n"
    "                       like [N,H,W,3], else NCHW)\n"
    "  --preset NAME        imagenet: mean 123.675,116.28,103.53 std 58.395,57.12,57.375\n"
    "                                 resize 256 crop 224\n"
    "                       efficientnet-lite: mean 127,127,127 std 128,128,128\n"
    "                                 resize 256 crop 224\n"
    "                       explicit flags override the preset's values\n"
    "Images become a batch-1 float32 tensor, y = (pixel - mean) / std, or raw\n"
    "pixels if the model input is uint8.\n";

typedef struct preset {
    const char *name;
    float mean[3];
    float std[3];
    int resize;
    int crop;
} preset;

static const preset presets[] = {
    {"imagenet", {123.675f, 116.28f, 103.53f}, {58.395f, 57.12f, 57.375f}, 256, 224},
    {"efficientnet-lite", {127.0f, 127.0f, 127.0f}, {128.0f, 128.0f, 128.0f}, 256, 224},
};

int input_options_init(input_options *o, int argc)
{
    int c;
    memset(o, 0, sizeof *o);
    o->specs = malloc(sizeof(const char *) * (size_t)(argc > 0 ? argc : 1));
    if (o->specs == NULL)
        return -1;
    for (c = 0; c < 3; c++) {
        o->prep.mean[c] = 0.0f;
        o->prep.std[c] = 1.0f;
    }
    o->prep.layout = PREP_LAYOUT_NCHW;
    return 0;
}

void input_options_free(input_options *o)
{
    free(o->specs);
    o->specs = NULL;
}

int input_options_parse(input_options *o, const char *command, int argc, char **argv, int *i)
{
    const char *arg = argv[*i], *v = NULL;
    int r;

    if (strcmp(arg, "--bgr") == 0) {
        o->prep.bgr = 1;
        return 1;
    }
    if (strcmp(arg, "--nhwc") == 0 || strcmp(arg, "--nchw") == 0) {
        o->prep.layout = arg[3] == 'h' ? PREP_LAYOUT_NHWC : PREP_LAYOUT_NCHW;
        o->layout_set = 1;
        return 1;
    }
    if ((r = arg_value(argc, argv, i, "--input", &v)) != 0) {
        if (r < 0 || v[0] == '\0')
            return cli_fail_usage(command, "--input needs NAME=FILE or FILE"), -1;
        o->specs[o->num_specs++] = v;
        return 1;
    }
    if ((r = arg_value(argc, argv, i, "--resize", &v)) != 0) {
        if (r < 0 || parse_int(v, 1, 1 << 16, &o->prep.resize) != 0)
            return cli_fail_usage(command, "--resize needs a size from 1 to 65536"), -1;
        o->resize_set = 1;
        return 1;
    }
    if ((r = arg_value(argc, argv, i, "--crop", &v)) != 0) {
        if (r < 0 || parse_size2(v, &o->prep.crop_h, &o->prep.crop_w) != 0)
            return cli_fail_usage(command, "--crop needs H or HxW (1 to 65536)"), -1;
        o->crop_set = 1;
        return 1;
    }
    if ((r = arg_value(argc, argv, i, "--mean", &v)) != 0) {
        if (r < 0 || parse_float_list(v, o->prep.mean, 3) != 0)
            return cli_fail_usage(command, "--mean needs three numbers, e.g. 123.675,116.28,103.53"),
                   -1;
        o->mean_set = 1;
        return 1;
    }
    if ((r = arg_value(argc, argv, i, "--std", &v)) != 0) {
        if (r < 0 || parse_float_list(v, o->prep.std, 3) != 0 || o->prep.std[0] == 0.0f ||
            o->prep.std[1] == 0.0f || o->prep.std[2] == 0.0f)
            return cli_fail_usage(command, "--std needs three nonzero numbers, e.g. 58.395,57.12,57.375"),
                   -1;
        o->std_set = 1;
        return 1;
    }
    if ((r = arg_value(argc, argv, i, "--preset", &v)) != 0) {
        if (r < 0)
            return cli_fail_usage(command, "--preset needs a name"), -1;
        o->preset = v;
        return 1;
    }
    return 0;
}

int input_options_finish(input_options *o, const char *command)
{
    const preset *p = NULL;
    size_t k;
    int c;
    if (o->preset == NULL)
        return 0;
    for (k = 0; k < sizeof presets / sizeof presets[0]; k++)
        if (strcmp(presets[k].name, o->preset) == 0)
            p = &presets[k];
    if (p == NULL)
        return cli_fail_usage(command, "unknown preset '%s' (known: imagenet, efficientnet-lite)",
                              o->preset),
               -1;
    for (c = 0; c < 3; c++) {
        if (!o->mean_set)
            o->prep.mean[c] = p->mean[c];
        if (!o->std_set)
            o->prep.std[c] = p->std[c];
    }
    if (!o->resize_set)
        o->prep.resize = p->resize;
    /* Left unmarked as explicit: a model with a fixed input size still gets
     * its own size; the preset's crop serves models with symbolic H, W. */
    if (!o->crop_set) {
        o->prep.crop_h = p->crop;
        o->prep.crop_w = p->crop;
    }
    return 0;
}
