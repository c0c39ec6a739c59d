#include "ocr_net.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

double ocr_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int ocr_net_load(ocr_net *net, const char *path, int num_threads, int disable_optimizations,
                 char *err, size_t errlen)
{
    memset(net, 0, sizeof *net);
    net->path = path;
    net->num_threads = num_threads;
    net->disable_optimizations = disable_optimizations;
    mobinfer_status st = mobinfer_model_load(path, NULL, &net->model);
    if (st != MOBINFER_OK) {
        snprintf(err, errlen, "%s: %s", path, mobinfer_last_error());
        return -1;
    }
    mobinfer_value_info in;
    if (mobinfer_model_input_count(net->model) < 1 ||
        mobinfer_model_input(net->model, 0, &in) != MOBINFER_OK || in.rank != 4) {
        snprintf(err, errlen, "%s: expected one 4-d image input", path);
        ocr_net_free(net);
        return -1;
    }
    net->input = in.name;
    return 0;
}

void ocr_net_free(ocr_net *net)
{
    if (net == NULL)
        return;
    for (int i = 0; i < net->used; i++)
        mobinfer_session_free(net->sessions[i]);
    mobinfer_model_free(net->model);
    memset(net, 0, sizeof *net);
}

static mobinfer_session *session_for(ocr_net *net, const int64_t dims[4], char *err, size_t errlen)
{
    for (int i = 0; i < net->used; i++)
        if (memcmp(net->dims[i], dims, sizeof net->dims[i]) == 0)
            return net->sessions[i];
    mobinfer_session_options o;
    mobinfer_session_options_init(&o);
    o.num_threads = net->num_threads;
    o.disable_optimizations = net->disable_optimizations;
    mobinfer_input_shape shape = {net->input, 4, dims};
    o.input_shapes = &shape;
    o.num_input_shapes = 1;
    mobinfer_session *s;
    double t0 = ocr_now_ms();
    mobinfer_status st = mobinfer_session_create(net->model, &o, &s);
    if (st != MOBINFER_OK) {
        snprintf(err, errlen, "%s: input %lldx%lldx%lldx%lld: %s", net->path, (long long)dims[0],
                 (long long)dims[1], (long long)dims[2], (long long)dims[3], mobinfer_last_error());
        return NULL;
    }
    net->plan_ms += ocr_now_ms() - t0;
    net->plans++;
    /* Full: replace the oldest shape (a page of a new size, a rare width). */
    int slot;
    if (net->used < OCR_NET_MAX_SESSIONS) {
        slot = net->used++;
    } else {
        slot = net->next;
        net->next = (net->next + 1) % OCR_NET_MAX_SESSIONS;
        mobinfer_session_free(net->sessions[slot]);
    }
    net->sessions[slot] = s;
    memcpy(net->dims[slot], dims, sizeof net->dims[slot]);
    return s;
}

int ocr_net_run(ocr_net *net, const int64_t dims[4], const float *data, mobinfer_tensor *out,
                char *err, size_t errlen)
{
    mobinfer_session *s = session_for(net, dims, err, errlen);
    if (s == NULL)
        return -1;
    size_t bytes = (size_t)(dims[0] * dims[1] * dims[2] * dims[3]) * sizeof(float);
    mobinfer_value_info oi;
    mobinfer_status st = mobinfer_session_set_input(s, net->input, MOBINFER_DTYPE_FLOAT32, dims, 4,
                                                    data, bytes);
    if (st == MOBINFER_OK)
        st = mobinfer_session_run(s);
    if (st == MOBINFER_OK)
        st = mobinfer_session_output(s, 0, &oi);
    if (st == MOBINFER_OK)
        st = mobinfer_session_get_output(s, oi.name, out);
    if (st == MOBINFER_OK && out->dtype != MOBINFER_DTYPE_FLOAT32) {
        snprintf(err, errlen, "%s: output is %s, expected float32", net->path,
                 mobinfer_dtype_name(out->dtype));
        return -1;
    }
    if (st != MOBINFER_OK) {
        snprintf(err, errlen, "%s: %s", net->path, mobinfer_session_last_error(s));
        return -1;
    }
    return 0;
}
