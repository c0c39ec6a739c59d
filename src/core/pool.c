#include "core/pool.h"

#include <stdlib.h>
#include <string.h>

struct mbi_pool_chunk {
    mbi_pool_chunk *next;
    size_t capacity;
    /* Data follows, aligned to 64 by the offset computation in alloc. */
};

enum { MBI_POOL_MIN_CHUNK = 64 * 1024, MBI_POOL_HEADER = 64 };

void mbi_pool_init(mbi_pool *pool)
{
    memset(pool, 0, sizeof *pool);
}

void mbi_pool_destroy(mbi_pool *pool)
{
    if (!pool)
        return;
    mbi_pool_chunk *c = pool->head;
    while (c) {
        mbi_pool_chunk *next = c->next;
        free(c);
        c = next;
    }
    memset(pool, 0, sizeof *pool);
}

static unsigned char *chunk_data(mbi_pool_chunk *c)
{
    return (unsigned char *)c + MBI_POOL_HEADER;
}

void *mbi_pool_alloc_aligned(mbi_pool *pool, size_t size, size_t align)
{
    if (align == 0 || align > 4096 || (align & (align - 1)) != 0)
        return NULL;
    if (align < 16)
        align = 16;
    if (size == 0)
        size = 1;
    if (size > SIZE_MAX / 2)
        return NULL;
    if (pool->head) {
        uintptr_t base = (uintptr_t)chunk_data(pool->head);
        uintptr_t at = (base + pool->used_in_head + align - 1) & ~(uintptr_t)(align - 1);
        size_t offset = (size_t)(at - base);
        if (offset <= pool->capacity_of_head && size <= pool->capacity_of_head - offset) {
            pool->used_in_head = offset + size;
            pool->total_bytes += size;
            return (void *)at; /* chunks come from calloc: already zero */
        }
    }
    size_t need = size + align;
    size_t capacity = need < MBI_POOL_MIN_CHUNK ? MBI_POOL_MIN_CHUNK : need;
    /* Big requests get their own chunk so the current chunk keeps serving
     * small ones. */
    mbi_pool_chunk *c = calloc(1, MBI_POOL_HEADER + capacity);
    if (!c)
        return NULL;
    c->capacity = capacity;
    uintptr_t base = (uintptr_t)chunk_data(c);
    uintptr_t at = (base + align - 1) & ~(uintptr_t)(align - 1);
    if (capacity == MBI_POOL_MIN_CHUNK || !pool->head) {
        c->next = pool->head;
        pool->head = c;
        pool->capacity_of_head = capacity;
        pool->used_in_head = (size_t)(at - base) + size;
    } else {
        c->next = pool->head->next;
        pool->head->next = c;
    }
    pool->total_bytes += size;
    return (void *)at;
}

void *mbi_pool_alloc(mbi_pool *pool, size_t size)
{
    return mbi_pool_alloc_aligned(pool, size, 16);
}

void *mbi_pool_alloc_array(mbi_pool *pool, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / 4 / size)
        return NULL;
    return mbi_pool_alloc(pool, count * size);
}

char *mbi_pool_strndup(mbi_pool *pool, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *d = mbi_pool_alloc(pool, len + 1);
    if (d) {
        if (len)
            memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}
