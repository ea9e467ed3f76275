#include "cmemory.h"
#include <stdint.h>
#include <stdlib.h>
#if defined(__linux__) && defined(__GLIBC__)
#include <malloc.h>
#include <sys/mman.h>
#endif

int sift_prefer_huge_pages(size_t reserve) {
#if defined(__linux__) && defined(__GLIBC__) && defined(MADV_HUGEPAGE)
    const size_t huge = (size_t)2 << 20;
    if (reserve < 4 * huge || reserve > ((size_t)1 << 30)) return 0;
    // Below the reserve, blocks come from the heap; freed memory under it stays mapped for reuse.
    if (!mallopt(M_MMAP_THRESHOLD, (int)reserve)) return 0;
    mallopt(M_TRIM_THRESHOLD, (int)(reserve + ((size_t)256 << 20)));
    mallopt(M_TOP_PAD, 64 << 20);
    // One arena: a helper thread's blocks come from the same advised heap.
    mallopt(M_ARENA_MAX, 1);
    void *p = malloc(reserve - huge);
    if (!p) return 0;
    uintptr_t start = ((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1);
    uintptr_t end = ((uintptr_t)p + reserve - huge) & ~(uintptr_t)(huge - 1);
    int ok = end > start && madvise((void *)start, end - start, MADV_HUGEPAGE) == 0;
    free(p);
    return ok;
#else
    (void)reserve;
    return 0;
#endif
}
