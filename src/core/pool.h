/* A bump allocator: many small allocations freed together. Models keep their
 * graph in one, sessions their plan and folded constants in another. */
#ifndef MBI_CORE_POOL_H
#define MBI_CORE_POOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct mbi_pool_chunk mbi_pool_chunk;

typedef struct mbi_pool {
    mbi_pool_chunk *head;
    size_t used_in_head;
    size_t capacity_of_head;
    uint64_t total_bytes; /* all bytes requested, for limit checks */
} mbi_pool;

void mbi_pool_init(mbi_pool *pool);
void mbi_pool_destroy(mbi_pool *pool);

/* Zeroed memory aligned to `align` (a power of two up to 4096); NULL when
 * the system allocator fails or size overflows. */
void *mbi_pool_alloc_aligned(mbi_pool *pool, size_t size, size_t align);

/* Zeroed memory aligned to 16 bytes. */
void *mbi_pool_alloc(mbi_pool *pool, size_t size);

/* size*count bytes, NULL on overflow. */
void *mbi_pool_alloc_array(mbi_pool *pool, size_t count, size_t size);

/* A NUL-terminated copy of len bytes of s. */
char *mbi_pool_strndup(mbi_pool *pool, const char *s, size_t len);

#endif
