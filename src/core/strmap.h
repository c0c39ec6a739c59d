/* A string → int map with open addressing, allocated from a pool. Used for
 * value names while importing a graph. Keys are borrowed. */
#ifndef MBI_CORE_STRMAP_H
#define MBI_CORE_STRMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/pool.h"

typedef struct mbi_strmap {
    const char **keys;
    int *vals;
    size_t capacity; /* power of two */
    size_t count;
} mbi_strmap;

/* Sized for up to max_count keys; false when allocation fails. */
bool mbi_strmap_init(mbi_strmap *m, mbi_pool *pool, size_t max_count);
/* -1 when absent. */
int mbi_strmap_get(const mbi_strmap *m, const char *key);
/* Inserts or overwrites; false when full (more than max_count keys). */
bool mbi_strmap_put(mbi_strmap *m, const char *key, int val);

#endif
