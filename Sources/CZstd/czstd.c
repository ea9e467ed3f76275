#include "czstd.h"
#include <dlfcn.h>
#include <pthread.h>

// The four libzstd entry points used (zstd.h, stable API since 1.0).
typedef size_t (*compress_fn)(void *, size_t, const void *, size_t, int);
typedef size_t (*decompress_fn)(void *, size_t, const void *, size_t);
typedef size_t (*bound_fn)(size_t);
typedef unsigned (*is_error_fn)(size_t);

static struct {
    compress_fn compress;
    decompress_fn decompress;
    bound_fn bound;
    is_error_fn is_error;
} zstd;
static pthread_once_t zstd_once = PTHREAD_ONCE_INIT;

static void load_zstd(void) {
    const char *names[] = {"libzstd.so.1", "libzstd.so", "libzstd.1.dylib", "libzstd.dylib"};
    void *h = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !h; i++) h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!h) return;
    compress_fn c = (compress_fn)dlsym(h, "ZSTD_compress");
    decompress_fn d = (decompress_fn)dlsym(h, "ZSTD_decompress");
    bound_fn b = (bound_fn)dlsym(h, "ZSTD_compressBound");
    is_error_fn e = (is_error_fn)dlsym(h, "ZSTD_isError");
    if (!c || !d || !b || !e) return;
    zstd.compress = c; zstd.decompress = d; zstd.bound = b; zstd.is_error = e;
}

int sift_zstd_available(void) {
    pthread_once(&zstd_once, load_zstd);
    return zstd.compress != NULL;
}

size_t sift_zstd_bound(size_t n) {
    return sift_zstd_available() ? zstd.bound(n) : 0;
}

size_t sift_zstd_compress(void *dst, size_t capacity, const void *src, size_t n, int level) {
    if (!sift_zstd_available()) return 0;
    size_t r = zstd.compress(dst, capacity, src, n, level);
    return zstd.is_error(r) ? 0 : r;
}

size_t sift_zstd_decompress(void *dst, size_t capacity, const void *src, size_t n) {
    if (!sift_zstd_available()) return (size_t)-1;
    size_t r = zstd.decompress(dst, capacity, src, n);
    return zstd.is_error(r) ? (size_t)-1 : r;
}
