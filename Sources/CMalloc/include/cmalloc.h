#ifndef META_BUILDER_CMALLOC_H
#define META_BUILDER_CMALLOC_H
/* glibc malloc tuning, which Swift's Glibc module does not import (malloc.h). */

/* mallopt(M_ARENA_MAX, count): at most `count` malloc arenas. Returns 1 on success. */
int mb_malloc_limit_arenas(int count);
#endif
