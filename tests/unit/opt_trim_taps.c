/* The padding-tap pass (src/opt/trim_padding_taps.c) against the reference
 * path, 1 and 2 threads: random dilated and plain convolutions (kernels 1,
 * 3, 5, dilations 1..40, strides 1 and 2, pads up to the whole window,
 * small maps so that outer taps often read only padding, dense and
 * depthwise, with and without bias), then Relu. Besides matching the
 * reference, the optimized session's multiply-adds must be those of the
 * kernel rows and columns that some output position reads inside the map,
 * counted here by brute force (where ONNX pads can express the smaller
 * kernel), and DeepLabV3's pyramid (3x3, dilation 24
 * and 36 on 20x20) must become a 1x1 convolution. */
#include <stdio.h>

#include "check.h"
#include "opt_check.h"

/* Kernel taps along one axis after the pass: the rows (columns) from the
 * first to the last that some output position reads inside the input, when
 * ONNX pads can express the smaller kernel (a non-negative begin pad, and an
 * end pad >= 0 that keeps the output size); otherwise all k. */
static int64_t taps_kept(int64_t in, int64_t out, int64_t k, int64_t s, int64_t d, int64_t pb)
{
    int64_t first = -1, last = -1;
    for (int64_t t = 0; t < k; t++)
        for (int64_t o = 0; o < out; o++) {
            const int64_t pos = o * s - pb + t * d;
            if (pos >= 0 && pos < in) {
                if (first < 0)
                    first = t;
                last = t;
                break;
            }
        }
    if (first < 0)
        return k;
    const int64_t kept = last - first + 1, span = (kept - 1) * d + 1;
    const int64_t new_pb = pb - first * d;
    int64_t new_pe = (out - 1) * s + span - in - new_pb;
    if (new_pe < 0)
        new_pe = 0;
    if (new_pb < 0 || (in + new_pb + new_pe - span) / s + 1 != out)
        return k;
    return kept;
}

/* Cases where the pass had something to drop: the random ones must include many. */
static int trimmed_cases;

static void case_trim(int iter, int64_t forced_k, int64_t forced_dil, int64_t forced_hw)
{
    static const int64_t ks[] = {1, 3, 5};
    const int64_t k = forced_k ? forced_k : ks[oc_irand(0, 2)];
    const int64_t dil = forced_dil ? forced_dil : oc_irand(1, 40);
    const int64_t stride = forced_k ? 1 : oc_irand(1, 2);
    const bool depthwise = !forced_k && iter % 4 == 3;
    const int64_t cin = oc_irand(5, 24), cout = depthwise ? cin : oc_irand(1, 40);
    const int64_t h = forced_hw ? forced_hw : oc_irand(3, 25);
    const int64_t w = forced_hw ? forced_hw : oc_irand(3, 25);
    const int64_t span = (k - 1) * dil;
    int64_t pads[4];
    for (int i = 0; i < 4; i++)
        pads[i] = forced_k ? dil : oc_irand(0, (int)span);
    if (h + pads[0] + pads[2] < span + 1 || w + pads[1] + pads[3] < span + 1)
        return; /* no output: the model would be invalid */
    const int64_t oh = (h + pads[0] + pads[2] - span - 1) / stride + 1;
    const int64_t ow = (w + pads[1] + pads[3] - span - 1) / stride + 1;
    tb_model m;
    tb_model_init(&m, 13);
    int64_t xd[4] = {1, cin, h, w};
    tb_input(&m, "x", FLOAT, xd, 4);
    oc_add_conv(&m, "x", "c", cin, cout, k, stride, dil, pads, depthwise, iter % 3 != 0);
    oc_add_node(&m, "Relu", "c", NULL, "y");
    oc_result r;
    oc_check_model(&r, &m, xd, "%s conv %lldx%lld k%lld d%lld s%lld pads %lld,%lld,%lld,%lld %lldx%lld",
                   depthwise ? "depthwise" : "dense", (long long)cin, (long long)cout, (long long)k,
                   (long long)dil, (long long)stride, (long long)pads[0], (long long)pads[1],
                   (long long)pads[2], (long long)pads[3], (long long)h, (long long)w);
    const uint64_t taps = (uint64_t)(taps_kept(h, oh, k, stride, dil, pads[0]) *
                                     taps_kept(w, ow, k, stride, dil, pads[1]));
    const uint64_t want = (uint64_t)(cout * (depthwise ? 1 : cin) * oh * ow) * taps;
    trimmed_cases += taps < (uint64_t)(k * k);
    CHECK(r.macs == want, "%s: %llu multiply-adds, want %llu (%llu taps)", r.what,
          (unsigned long long)r.macs, (unsigned long long)want, (unsigned long long)taps);
}

int main(void)
{
    for (int i = 0; i < 120; i++)
        case_trim(i, 0, 0, 0);
    /* DeepLabV3's atrous pyramid on its 20x20 map: dilation 12 keeps all
     * nine taps, 24 and 36 only the centre one. */
    case_trim(0, 3, 12, 20);
    case_trim(1, 3, 24, 20);
    case_trim(2, 3, 36, 20);
    CHECK(trimmed_cases >= 20, "only %d cases had taps to trim", trimmed_cases);
    int passed, failed;
    oc_check_counts(&passed, &failed);
    check_add(passed, failed);
    return check_summary();
}
