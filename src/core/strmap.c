#include "core/strmap.h"

#include <stdint.h>
#include <string.h>

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ull;
    }
    return h;
}

bool mbi_strmap_init(mbi_strmap *m, mbi_pool *pool, size_t max_count)
{
    size_t cap = 16;
    while (cap < max_count * 2 + 1) {
        if (cap > SIZE_MAX / 4)
            return false;
        cap *= 2;
    }
    m->keys = mbi_pool_alloc_array(pool, cap, sizeof *m->keys);
    m->vals = mbi_pool_alloc_array(pool, cap, sizeof *m->vals);
    m->capacity = cap;
    m->count = 0;
    return m->keys && m->vals;
}

int mbi_strmap_get(const mbi_strmap *m, const char *key)
{
    size_t mask = m->capacity - 1;
    for (size_t i = hash_str(key) & mask;; i = (i + 1) & mask) {
        if (!m->keys[i])
            return -1;
        if (strcmp(m->keys[i], key) == 0)
            return m->vals[i];
    }
}

bool mbi_strmap_put(mbi_strmap *m, const char *key, int val)
{
    size_t mask = m->capacity - 1;
    for (size_t i = hash_str(key) & mask;; i = (i + 1) & mask) {
        if (!m->keys[i]) {
            if ((m->count + 1) * 2 > m->capacity)
                return false;
            m->keys[i] = key;
            m->vals[i] = val;
            m->count++;
            return true;
        }
        if (strcmp(m->keys[i], key) == 0) {
            m->vals[i] = val;
            return true;
        }
    }
}
