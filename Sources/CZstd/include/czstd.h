// Zstandard through the system's libzstd (libzstd.so.1, part of every Debian base system), loaded
// with dlopen when first needed, so building needs no headers and a machine without it still runs
// (the store then packs its column chunks with zlib).
#pragma once
#include <stddef.h>

/// 1 when libzstd could be loaded, else 0.
int sift_zstd_available(void);
/// The most bytes `sift_zstd_compress` can produce for `n` input bytes (0 when unavailable).
size_t sift_zstd_bound(size_t n);
/// Compresses `n` bytes into `dst` as one frame with a checksum of its content (verified when it is
/// decompressed); the compressed size, or 0 on any failure.
size_t sift_zstd_compress(void *dst, size_t capacity, const void *src, size_t n, int level);
/// Decompresses a whole frame into `dst`; the decompressed size, or (size_t)-1 on any failure.
size_t sift_zstd_decompress(void *dst, size_t capacity, const void *src, size_t n);

// Dictionaries (the store's span text): trained from samples, then compression and decompression
// with them. Each thread keeps its own compression and decompression context.

/// Trains a dictionary of at most `capacity` bytes from `count` samples laid end to end in `samples`
/// (`sizes[i]` bytes each); its size, or 0 when training failed.
size_t sift_zstd_train(void *dict, size_t capacity, const void *samples, const size_t *sizes, unsigned count);
/// The id a dictionary carries (and the frames made with it name); 0 for none.
unsigned sift_zstd_dict_id(const void *dict, size_t size);
/// A dictionary prepared for compression at `level` / for decompression; NULL on failure.
void *sift_zstd_cdict(const void *dict, size_t size, int level);
void *sift_zstd_ddict(const void *dict, size_t size);
void sift_zstd_free_cdict(void *cdict);
void sift_zstd_free_ddict(void *ddict);
/// Compresses with a prepared dictionary, a checksum in the frame as above; the compressed size, or 0
/// on any failure.
size_t sift_zstd_compress_dict(void *dst, size_t capacity, const void *src, size_t n, const void *cdict);
/// Decompresses a frame made with a prepared dictionary; its size, or (size_t)-1 on any failure.
size_t sift_zstd_decompress_dict(void *dst, size_t capacity, const void *src, size_t n, const void *ddict);
/// The decompressed size a frame states; (unsigned long long)-1 when unknown or not a frame.
unsigned long long sift_zstd_frame_size(const void *src, size_t n);
/// The dictionary id a frame names; 0 for none.
unsigned sift_zstd_frame_dict_id(const void *src, size_t n);
