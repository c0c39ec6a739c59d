#include <string.h>

#include "ops/op.h"

static const mbi_op_def *const *const families[] = {
    mbi_op_table_math,
    mbi_op_table_nn,
    mbi_op_table_tensor,
};

const mbi_op_def *mbi_op_find(const char *domain, const char *op_type)
{
    if (strcmp(domain, "ai.onnx") == 0)
        domain = "";
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
        for (const mbi_op_def *const *d = families[f]; *d; d++)
            if (strcmp((*d)->op_type, op_type) == 0 && strcmp((*d)->domain, domain) == 0)
                return *d;
    return NULL;
}
