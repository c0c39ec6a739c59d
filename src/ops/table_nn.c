#include "ops/op.h"

/* Operators of the nn family. Keep the list sorted by op_type. */
const mbi_op_def *const mbi_op_table_nn[] = {
    NULL,
};
