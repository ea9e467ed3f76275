// Zstandard through the system's libzstd (libzstd.so.1, part of every Debian base system), loaded
// with dlopen when first needed, so building needs no headers and a machine without it still runs
// (the store then packs its column chunks with zlib).
#pragma once
#include <stddef.h>

/// 1 when libzstd could be loaded, else 0.
int sift_zstd_available(void);
/// The most bytes `sift_zstd_compress` can produce for `n` input bytes (0 when unavailable).
size_t sift_zstd_bound(size_t n);
/// Compresses `n` bytes into `dst`; the compressed size, or 0 on any failure.
size_t sift_zstd_compress(void *dst, size_t capacity, const void *src, size_t n, int level);
/// Decompresses a whole frame into `dst`; the decompressed size, or (size_t)-1 on any failure.
size_t sift_zstd_decompress(void *dst, size_t capacity, const void *src, size_t n);
