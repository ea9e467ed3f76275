#include "chttp.h"
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// The few libcurl entry points used, and the option numbers of its stable ABI (curl/curl.h).
typedef void CURL;
struct curl_slist;
typedef int (*global_init_fn)(long);
typedef CURL *(*easy_init_fn)(void);
typedef int (*easy_setopt_fn)(CURL *, int, ...);
typedef int (*easy_perform_fn)(CURL *);
typedef int (*easy_getinfo_fn)(CURL *, int, ...);
typedef void (*easy_cleanup_fn)(CURL *);
typedef struct curl_slist *(*slist_append_fn)(struct curl_slist *, const char *);
typedef void (*slist_free_fn)(struct curl_slist *);
typedef const char *(*easy_strerror_fn)(int);

enum {
    OPT_WRITEDATA = 10001, OPT_URL = 10002, OPT_ERRORBUFFER = 10010, OPT_WRITEFUNCTION = 20011,
    OPT_POSTFIELDS = 10015, OPT_USERAGENT = 10018, OPT_HTTPHEADER = 10023, OPT_CUSTOMREQUEST = 10036,
    OPT_POST = 47, OPT_FOLLOWLOCATION = 52, OPT_MAXREDIRS = 68, OPT_HTTPGET = 80, OPT_NOSIGNAL = 99,
    OPT_ACCEPT_ENCODING = 10102, OPT_POSTFIELDSIZE_LARGE = 30120, OPT_TIMEOUT_MS = 155,
    OPT_CONNECTTIMEOUT_MS = 156, INFO_RESPONSE_CODE = 0x200002, GLOBAL_ALL = 3, ERROR_SIZE = 256
};

static struct {
    global_init_fn global_init;
    easy_init_fn easy_init;
    easy_setopt_fn setopt;
    easy_perform_fn perform;
    easy_getinfo_fn getinfo;
    easy_cleanup_fn cleanup;
    slist_append_fn slist_append;
    slist_free_fn slist_free;
    easy_strerror_fn strerror;
    char problem[256];
} curl;
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void load_curl(void) {
    const char *names[] = {"libcurl.so.4", "libcurl.so", "libcurl-gnutls.so.4", "libcurl.4.dylib", "libcurl.dylib"};
    void *h = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !h; i++) h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(curl.problem, sizeof curl.problem, "HTTP needs libcurl (libcurl.so.4), which could not be loaded: %s", dlerror());
        return;
    }
#define LOAD(field, symbol) curl.field = (__typeof__(curl.field))dlsym(h, symbol)
    LOAD(global_init, "curl_global_init");
    LOAD(easy_init, "curl_easy_init");
    LOAD(setopt, "curl_easy_setopt");
    LOAD(perform, "curl_easy_perform");
    LOAD(getinfo, "curl_easy_getinfo");
    LOAD(cleanup, "curl_easy_cleanup");
    LOAD(slist_append, "curl_slist_append");
    LOAD(slist_free, "curl_slist_free_all");
    LOAD(strerror, "curl_easy_strerror");
#undef LOAD
    if (!curl.global_init || !curl.easy_init || !curl.setopt || !curl.perform || !curl.getinfo || !curl.cleanup ||
        !curl.slist_append || !curl.slist_free || !curl.strerror) {
        snprintf(curl.problem, sizeof curl.problem, "the libcurl found lacks curl_easy_* functions");
        return;
    }
    if (curl.global_init(GLOBAL_ALL) != 0) snprintf(curl.problem, sizeof curl.problem, "libcurl failed to initialise");
}

typedef struct {
    unsigned char *data;
    size_t length, capacity;
    int failed;
} buffer;

static size_t on_data(char *ptr, size_t size, size_t count, void *userdata) {
    buffer *b = userdata;
    size_t n = size * count;
    if (b->length + n > b->capacity) {
        size_t c = b->capacity ? b->capacity : 16384;
        while (c < b->length + n) c *= 2;
        unsigned char *d = realloc(b->data, c);
        if (!d) { b->failed = 1; return 0; }
        b->data = d;
        b->capacity = c;
    }
    memcpy(b->data + b->length, ptr, n);
    b->length += n;
    return n;
}

int chttp_request(const char *method, const char *url, const char *const *headers, size_t header_count,
                  const unsigned char *body, size_t body_length, long timeout_ms, long connect_timeout_ms,
                  chttp_response *out) {
    memset(out, 0, sizeof *out);
    pthread_once(&curl_once, load_curl);
    if (curl.problem[0]) {
        snprintf(out->error, sizeof out->error, "%s", curl.problem);
        return -1;
    }
    CURL *h = curl.easy_init();
    if (!h) {
        snprintf(out->error, sizeof out->error, "libcurl could not start a transfer");
        return -1;
    }
    char error[ERROR_SIZE] = {0};
    buffer b = {0};
    struct curl_slist *list = NULL;
    for (size_t i = 0; i < header_count; i++) list = curl.slist_append(list, headers[i]);
    curl.setopt(h, OPT_URL, url);
    curl.setopt(h, OPT_ERRORBUFFER, error);
    curl.setopt(h, OPT_NOSIGNAL, 1L);
    curl.setopt(h, OPT_FOLLOWLOCATION, 1L);
    curl.setopt(h, OPT_MAXREDIRS, 10L);
    curl.setopt(h, OPT_ACCEPT_ENCODING, "");
    curl.setopt(h, OPT_USERAGENT, "sift");
    curl.setopt(h, OPT_WRITEFUNCTION, on_data);
    curl.setopt(h, OPT_WRITEDATA, &b);
    if (timeout_ms > 0) curl.setopt(h, OPT_TIMEOUT_MS, timeout_ms);
    if (connect_timeout_ms > 0) curl.setopt(h, OPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
    if (list) curl.setopt(h, OPT_HTTPHEADER, list);
    if (body) {
        curl.setopt(h, OPT_POST, 1L);
        curl.setopt(h, OPT_POSTFIELDSIZE_LARGE, (int64_t)body_length);
        curl.setopt(h, OPT_POSTFIELDS, (const char *)body);
    } else {
        curl.setopt(h, OPT_HTTPGET, 1L);
    }
    if (method && strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0) curl.setopt(h, OPT_CUSTOMREQUEST, method);
    int code = curl.perform(h);
    if (code == 0) curl.getinfo(h, INFO_RESPONSE_CODE, &out->status);
    if (list) curl.slist_free(list);
    curl.cleanup(h);
    if (b.failed) {
        free(b.data);
        snprintf(out->error, sizeof out->error, "out of memory reading the response");
        return -1;
    }
    if (code != 0) {
        free(b.data);
        snprintf(out->error, sizeof out->error, "%s", error[0] ? error : curl.strerror(code));
        return -1;
    }
    out->body = b.data;
    out->length = b.length;
    return 0;
}

void chttp_response_free(chttp_response *response) {
    free(response->body);
    response->body = NULL;
    response->length = 0;
}
