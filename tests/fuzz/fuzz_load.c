/* fuzz_load: bytes -> mobinfer_model_load_memory (default limits) -> the
 * model's introspection calls -> mobinfer_model_free.
 *
 * Covers the protobuf wire reader, ONNX import (graph, nodes, attributes,
 * initializers, value_info, opset imports) and the load-time checks. The
 * input buffer is borrowed by the model (weights used in place), which is
 * fine: the model is freed before the callback returns, and libFuzzer itself
 * reports a target that writes to its const input. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "mobinfer.h"

static void check_model(const mobinfer_model *model)
{
    mobinfer_model_stats stats;
    mobinfer_value_info info;
    mobinfer_status st;
    size_t i, k, n;

    n = mobinfer_model_input_count(model);
    for (i = 0; i < n; i++) {
        st = mobinfer_model_input(model, i, &info);
        FUZZ_CHECK(st == MOBINFER_OK, "mobinfer_model_input(%zu of %zu): %s", i, n,
                   mobinfer_status_name(st));
        fuzz_touch_info(&info, 0);
        for (k = 0; k < info.rank; k++)
            if (info.dims[k] < 0)
                FUZZ_CHECK(info.dim_names != NULL && info.dim_names[k] != NULL,
                           "input '%s': symbolic dim %zu has no name", info.name, k);
    }
    FUZZ_CHECK(mobinfer_model_input(model, n, &info) != MOBINFER_OK,
               "mobinfer_model_input accepted index %zu of %zu", n, n);

    n = mobinfer_model_output_count(model);
    for (i = 0; i < n; i++) {
        st = mobinfer_model_output(model, i, &info);
        FUZZ_CHECK(st == MOBINFER_OK, "mobinfer_model_output(%zu of %zu): %s", i, n,
                   mobinfer_status_name(st));
        fuzz_touch_info(&info, 0);
    }
    FUZZ_CHECK(mobinfer_model_output(model, n, &info) != MOBINFER_OK,
               "mobinfer_model_output accepted index %zu of %zu", n, n);

    fuzz_sink += (uint64_t)mobinfer_model_opset(model);

    st = mobinfer_model_get_stats(model, &stats);
    FUZZ_CHECK(st == MOBINFER_OK, "mobinfer_model_get_stats: %s", mobinfer_status_name(st));
    for (i = 0; i < stats.num_nodes; i++) {
        const char *op = NULL;
        st = mobinfer_model_node_op_type(model, i, &op);
        FUZZ_CHECK(st == MOBINFER_OK && op != NULL, "mobinfer_model_node_op_type(%zu of %zu): %s",
                   i, stats.num_nodes, mobinfer_status_name(st));
        fuzz_touch_string(op);
    }
    FUZZ_CHECK(mobinfer_model_node_op_type(model, stats.num_nodes, &(const char *){NULL}) !=
                   MOBINFER_OK,
               "mobinfer_model_node_op_type accepted index %zu of %zu", stats.num_nodes,
               stats.num_nodes);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mobinfer_model *model = NULL;
    mobinfer_status st = mobinfer_model_load_memory(data, size, NULL, &model);
    fuzz_check_status(st, "mobinfer_model_load_memory", st ? mobinfer_last_error() : NULL);
    if (st == MOBINFER_OK) {
        FUZZ_CHECK(model != NULL, "load returned OK without a model");
        check_model(model);
    }
    mobinfer_model_free(model);
    return 0;
}
