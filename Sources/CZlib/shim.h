// The system zlib (zlib1g-dev), for `Content-Encoding: gzip` request bodies in `sift serve`.
#include <zlib.h>
