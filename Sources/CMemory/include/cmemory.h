// Process-wide memory settings for commands that fill large columns.
#ifndef CMEMORY_H
#define CMEMORY_H
#include <stddef.h>

/// Large allocations come from malloc's heap instead of a fresh mapping each, and the first
/// `reserve` bytes of that heap are requested as transparent huge pages before anything touches
/// them (grown once, advised, handed back to malloc, and not trimmed). No memory is used until
/// written. Does nothing where unsupported. Returns 1 when the advice was given.
int sift_prefer_huge_pages(size_t reserve);

#endif
