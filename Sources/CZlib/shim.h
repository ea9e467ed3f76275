// The system zlib (zlib1g-dev): packed column chunks in the store, and `Content-Encoding: gzip`
// request bodies in `sift serve`.
#include <zlib.h>
