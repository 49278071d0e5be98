#include "CMalloc.h"

#include <stdint.h>
#include <stdlib.h> // defines __GLIBC__ on glibc
#if defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>
#endif

int meshscript_malloc_use_one_arena(void) {
#if defined(__GLIBC__) && defined(M_ARENA_MAX)
    return mallopt(M_ARENA_MAX, 1);
#else
    return 0;
#endif
}

int meshscript_malloc_grow_in_huge_pages(size_t pad) {
#if defined(__GLIBC__) && defined(M_TOP_PAD) && defined(M_TRIM_THRESHOLD) && defined(MADV_HUGEPAGE)
    const size_t huge = 2 << 20;
    if (pad < huge || pad > (size_t)1 << 29) return 0; // twice it must fit mallopt's int
    char *start = sbrk(0);
    if (start == (char *)-1) return 0;
    // The heap grows by what is asked and `pad` more, and gives back nothing under twice that.
    if (mallopt(M_TOP_PAD, (int)pad) == 0 || mallopt(M_TRIM_THRESHOLD, (int)(2 * pad)) == 0) return 0;
    // Two blocks under the mmap threshold (128 KiB): the second no longer fits the heap's
    // first padding, so the heap grows once, by `pad`, now.
    // (Kept through `volatile`: an optimizer may drop a malloc whose block is never used.)
    void *volatile first = malloc(120 << 10);
    void *volatile second = malloc(120 << 10);
    free(second);
    free(first);
    char *end = sbrk(0);
    if (end == (char *)-1 || end - start < (ptrdiff_t)pad) return 0;
    // Whole 2 MiB pages of the new room; what lies past them is mapped 4 KiB at a time.
    uintptr_t from = ((uintptr_t)start + huge - 1) & ~(uintptr_t)(huge - 1);
    uintptr_t to = (uintptr_t)end & ~(uintptr_t)(huge - 1);
    if (to <= from) return 0;
    return madvise((void *)from, to - from, MADV_HUGEPAGE) == 0;
#else
    (void)pad;
    return 0;
#endif
}
