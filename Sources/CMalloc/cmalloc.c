#include <malloc.h>
#include "cmalloc.h"

int mb_malloc_limit_arenas(int count) { return mallopt(M_ARENA_MAX, count); }
