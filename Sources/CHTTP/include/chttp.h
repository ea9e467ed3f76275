// HTTP(S) through the system's libcurl, loaded with dlopen on first use. Sift talks to model servers
// and downloads models rarely; linking Foundation's networking for that cost every command ~7 ms of
// start-up (libcurl and its TLS, Kerberos and LDAP libraries, loaded and relocated at launch).
#ifndef CHTTP_H
#define CHTTP_H
#include <stddef.h>

typedef struct {
    long status;            // HTTP status code; 0 when no response arrived
    unsigned char *body;    // the response body (malloc'd; free with chttp_response_free)
    size_t length;
    char error[512];        // why the transfer failed; empty when it did not
} chttp_response;

/// Performs one request. Returns 0 when a response arrived (whatever its status), -1 otherwise,
/// with the reason in out->error. `headers` are "Name: value" lines. Thread-safe.
int chttp_request(const char *method, const char *url, const char *const *headers, size_t header_count,
                  const unsigned char *body, size_t body_length, long timeout_ms, long connect_timeout_ms,
                  chttp_response *out);

void chttp_response_free(chttp_response *response);

#endif
