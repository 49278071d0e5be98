// What Swift's Glibc module leaves out of <malloc.h>: mallopt(3).
#ifndef MESHSCRIPT_CMALLOC_H
#define MESHSCRIPT_CMALLOC_H

#include <stddef.h>

/// Makes every thread allocate from the main malloc arena (glibc's M_ARENA_MAX of 1), before a
/// second thread starts. A thread's own arena grows by one mprotect(2) call per few pages (1,246
/// calls to check a 20,000-cluster ring), the main one by brk(2) with padding (49 calls); the CLI
/// runs one thread at a time, so there is no contention to spread. Returns 1 on success, 0 where
/// there is no such setting (not glibc) or it was refused.
int meshscript_malloc_use_one_arena(void);

/// Grows the main heap by `pad` bytes now (M_TOP_PAD, with M_TRIM_THRESHOLD at twice that so
/// it is not given back), and asks the kernel to back that room with 2 MiB pages
/// (madvise(2) MADV_HUGEPAGE, which transparent huge pages in `madvise` mode honour). The room
/// is only reserved: a page is taken when first touched, and where the kernel gives no huge
/// pages it is taken 4 KiB at a time, as before. A 400-cluster full mesh's `check` took about
/// 2,650 page faults, and a fifth of its time in them. Call it once, before any thread starts.
/// Returns 1 when the advice was taken, 0 otherwise (not glibc, `pad` outside 2 MiB to 512 MiB,
/// or the heap did not grow as expected); the heap works either way.
int meshscript_malloc_grow_in_huge_pages(size_t pad);

#endif
