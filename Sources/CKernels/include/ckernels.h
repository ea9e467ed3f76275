// Dense kernels for the sentence encoder, and a substring search for the query executor.
// Dense kernels: y[r][j] = dot(x[r], w[j]) + bias[j] for the output
// columns [col0, col1), with an AVX2/FMA path chosen at run time and a portable fallback.
#ifndef CKERNELS_H
#define CKERNELS_H

/// 1 when this CPU runs the AVX2/FMA path.
int ck_has_avx2(void);

/// x: rows x in (row-major); w: out x in (PyTorch Linear layout); y: rows x out.
void ck_linear(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y, int col0, int col1);

/// GELU in place (erf by Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7).
void ck_gelu(float *x, long n);

/// The first position of `needle` (m bytes) in `hay` (n bytes), or -1. With `fold`, ASCII capitals
/// of `hay` are read as lower case (`needle` must be lower case already). 16 positions at a time
/// on SSE2 (first and last byte compared together), byte by byte elsewhere.
long ck_find(const unsigned char *hay, long n, const unsigned char *needle, long m, int fold);

/// 1 when `text` holds U+037E, U+1FEF or U+212A (the non-ASCII scalars equal to an ASCII character
/// canonically or once lower-cased), or, with `escapes`, a JSON escape `\u` (or `\/` with `slash`)
/// that might hide a character; 0 otherwise. One pass, 16 bytes at a time on SSE2.
int ck_may_hide(const unsigned char *text, long n, int escapes, int slash);


#endif
