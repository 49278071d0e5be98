// What Swift's Glibc module leaves out of <malloc.h>: mallopt(3).
#ifndef MESHSCRIPT_CMALLOC_H
#define MESHSCRIPT_CMALLOC_H

/// Makes every thread allocate from the main malloc arena (glibc's M_ARENA_MAX of 1), before a
/// second thread starts. A thread's own arena grows by one mprotect(2) call per few pages (1,246
/// calls to check a 20,000-cluster ring), the main one by brk(2) with padding (49 calls); the CLI
/// runs one thread at a time, so there is no contention to spread. Returns 1 on success, 0 where
/// there is no such setting (not glibc) or it was refused.
int meshscript_malloc_use_one_arena(void);

#endif
