#include "dispatch/kernels.h"

#include <string.h>

void mbi_kernels_select(mbi_kernels *k)
{
    memset(k, 0, sizeof *k);
    mbi_cpu_detect(&k->cpu);
    /* Each family adds its selection here. */
}
