#include "czstd.h"
#include <dlfcn.h>
#include <pthread.h>

// The four libzstd entry points used (zstd.h, stable API since 1.0).
typedef size_t (*compress_fn)(void *, size_t, const void *, size_t, int);
typedef size_t (*decompress_fn)(void *, size_t, const void *, size_t);
typedef size_t (*bound_fn)(size_t);
typedef unsigned (*is_error_fn)(size_t);
typedef size_t (*train_fn)(void *, size_t, const void *, const size_t *, unsigned);
typedef unsigned (*dict_id_fn)(const void *, size_t);
typedef void *(*create_cdict_fn)(const void *, size_t, int);
typedef void *(*create_ddict_fn)(const void *, size_t);
typedef void *(*create_ctx_fn)(void);
typedef size_t (*free_ctx_fn)(void *);
typedef size_t (*decompress_dict_fn)(void *, void *, size_t, const void *, size_t, const void *);
typedef unsigned long long (*frame_size_fn)(const void *, size_t);
typedef size_t (*reset_fn)(void *, int);
typedef size_t (*set_parameter_fn)(void *, int, int);
typedef size_t (*ref_cdict_fn)(void *, const void *);
typedef size_t (*compress2_fn)(void *, void *, size_t, const void *, size_t);

// zstd.h's stable enum values: ZSTD_reset_session_and_parameters, ZSTD_c_compressionLevel,
// ZSTD_c_checksumFlag.
enum { RESET_ALL = 3, C_LEVEL = 100, C_CHECKSUM = 201 };

static struct {
    compress_fn compress;
    decompress_fn decompress;
    bound_fn bound;
    is_error_fn is_error;
    train_fn train;
    is_error_fn dict_is_error;
    dict_id_fn dict_id;
    create_cdict_fn create_cdict;
    create_ddict_fn create_ddict;
    create_ctx_fn create_cctx, create_dctx;
    free_ctx_fn free_cctx, free_dctx, free_cdict, free_ddict;
    decompress_dict_fn decompress_dict;
    frame_size_fn frame_size;
    dict_id_fn frame_dict_id;
    reset_fn reset;
    set_parameter_fn set_parameter;
    ref_cdict_fn ref_cdict;
    compress2_fn compress2;
} zstd;
static pthread_key_t cctx_key, dctx_key;

static void free_cctx(void *c) { if (c) zstd.free_cctx(c); }
static void free_dctx(void *c) { if (c) zstd.free_dctx(c); }
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
#define LOAD(field, symbol) zstd.field = (__typeof__(zstd.field))dlsym(h, symbol)
    LOAD(train, "ZDICT_trainFromBuffer");
    LOAD(dict_is_error, "ZDICT_isError");
    LOAD(dict_id, "ZDICT_getDictID");
    LOAD(create_cdict, "ZSTD_createCDict");
    LOAD(create_ddict, "ZSTD_createDDict");
    LOAD(create_cctx, "ZSTD_createCCtx");
    LOAD(create_dctx, "ZSTD_createDCtx");
    LOAD(free_cctx, "ZSTD_freeCCtx");
    LOAD(free_dctx, "ZSTD_freeDCtx");
    LOAD(free_cdict, "ZSTD_freeCDict");
    LOAD(free_ddict, "ZSTD_freeDDict");
    LOAD(decompress_dict, "ZSTD_decompress_usingDDict");
    LOAD(frame_size, "ZSTD_getFrameContentSize");
    LOAD(frame_dict_id, "ZSTD_getDictID_fromFrame");
    LOAD(reset, "ZSTD_CCtx_reset");
    LOAD(set_parameter, "ZSTD_CCtx_setParameter");
    LOAD(ref_cdict, "ZSTD_CCtx_refCDict");
    LOAD(compress2, "ZSTD_compress2");
#undef LOAD
    if (!zstd.train || !zstd.dict_is_error || !zstd.dict_id || !zstd.create_cdict || !zstd.create_ddict || !zstd.create_cctx ||
        !zstd.create_dctx || !zstd.free_cctx || !zstd.free_dctx || !zstd.free_cdict || !zstd.free_ddict || !zstd.decompress_dict ||
        !zstd.frame_size || !zstd.frame_dict_id || !zstd.reset || !zstd.set_parameter || !zstd.ref_cdict || !zstd.compress2) return;
    if (pthread_key_create(&cctx_key, free_cctx) != 0 || pthread_key_create(&dctx_key, free_dctx) != 0) return;
    zstd.compress = c; zstd.decompress = d; zstd.bound = b; zstd.is_error = e;
}

int sift_zstd_available(void) {
    pthread_once(&zstd_once, load_zstd);
    return zstd.compress != NULL;
}

size_t sift_zstd_bound(size_t n) {
    return sift_zstd_available() ? zstd.bound(n) : 0;
}

/// This thread's compression context, its parameters reset; NULL when none can be made.
static void *fresh_cctx(void) {
    void *ctx = pthread_getspecific(cctx_key);
    if (!ctx) {
        if (!(ctx = zstd.create_cctx())) return NULL;
        pthread_setspecific(cctx_key, ctx);
    }
    zstd.reset(ctx, RESET_ALL);
    // Every frame carries a checksum of its content, which decompression verifies: a damaged frame
    // is refused rather than read as other bytes of the same length.
    if (zstd.is_error(zstd.set_parameter(ctx, C_CHECKSUM, 1))) return NULL;
    return ctx;
}

size_t sift_zstd_compress(void *dst, size_t capacity, const void *src, size_t n, int level) {
    if (!sift_zstd_available()) return 0;
    void *ctx = fresh_cctx();
    if (!ctx || zstd.is_error(zstd.set_parameter(ctx, C_LEVEL, level))) return 0;
    size_t r = zstd.compress2(ctx, dst, capacity, src, n);
    return zstd.is_error(r) ? 0 : r;
}

size_t sift_zstd_decompress(void *dst, size_t capacity, const void *src, size_t n) {
    if (!sift_zstd_available()) return (size_t)-1;
    size_t r = zstd.decompress(dst, capacity, src, n);
    return zstd.is_error(r) ? (size_t)-1 : r;
}

size_t sift_zstd_train(void *dict, size_t capacity, const void *samples, const size_t *sizes, unsigned count) {
    if (!sift_zstd_available()) return 0;
    size_t r = zstd.train(dict, capacity, samples, sizes, count);
    return zstd.dict_is_error(r) ? 0 : r;
}

unsigned sift_zstd_dict_id(const void *dict, size_t size) {
    return sift_zstd_available() ? zstd.dict_id(dict, size) : 0;
}

void *sift_zstd_cdict(const void *dict, size_t size, int level) {
    return sift_zstd_available() ? zstd.create_cdict(dict, size, level) : NULL;
}

void *sift_zstd_ddict(const void *dict, size_t size) {
    return sift_zstd_available() ? zstd.create_ddict(dict, size) : NULL;
}

void sift_zstd_free_cdict(void *cdict) { if (cdict && sift_zstd_available()) zstd.free_cdict(cdict); }
void sift_zstd_free_ddict(void *ddict) { if (ddict && sift_zstd_available()) zstd.free_ddict(ddict); }

size_t sift_zstd_compress_dict(void *dst, size_t capacity, const void *src, size_t n, const void *cdict) {
    if (!sift_zstd_available() || !cdict) return 0;
    void *ctx = fresh_cctx();
    if (!ctx || zstd.is_error(zstd.ref_cdict(ctx, cdict))) return 0;
    size_t r = zstd.compress2(ctx, dst, capacity, src, n);
    return zstd.is_error(r) ? 0 : r;
}

size_t sift_zstd_decompress_dict(void *dst, size_t capacity, const void *src, size_t n, const void *ddict) {
    if (!sift_zstd_available() || !ddict) return (size_t)-1;
    void *ctx = pthread_getspecific(dctx_key);
    if (!ctx) {
        if (!(ctx = zstd.create_dctx())) return (size_t)-1;
        pthread_setspecific(dctx_key, ctx);
    }
    size_t r = zstd.decompress_dict(ctx, dst, capacity, src, n, ddict);
    return zstd.is_error(r) ? (size_t)-1 : r;
}

unsigned long long sift_zstd_frame_size(const void *src, size_t n) {
    if (!sift_zstd_available()) return (unsigned long long)-1;
    unsigned long long r = zstd.frame_size(src, n);
    return r >= (unsigned long long)-2 ? (unsigned long long)-1 : r;
}

unsigned sift_zstd_frame_dict_id(const void *src, size_t n) {
    return sift_zstd_available() ? zstd.frame_dict_id(src, n) : 0;
}
