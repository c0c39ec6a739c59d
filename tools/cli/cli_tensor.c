/* Ownership helper for cli_tensor. */
#include "cli_tensor.h"

#include <stdlib.h>
#include <string.h>

void cli_tensor_free(cli_tensor *t)
{
    if (t == NULL)
        return;
    free(t->data);
    memset(t, 0, sizeof *t);
}
