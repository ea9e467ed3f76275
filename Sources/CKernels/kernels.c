// See ckernels.h. The AVX2 path computes 2x4 output blocks with eight 8-lane FMA accumulators
// (fits the 16 vector registers without spilling); the portable path is plain C the compiler
// vectorises for the baseline target. The choice is made once, from the CPU's feature flags.
#include "ckernels.h"
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CK_X86 1
#endif

static float dot_portable(const float *a, const float *b, int k) {
    float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int p = 0;
    for (; p + 4 <= k; p += 4) { s0 += a[p] * b[p]; s1 += a[p + 1] * b[p + 1]; s2 += a[p + 2] * b[p + 2]; s3 += a[p + 3] * b[p + 3]; }
    for (; p < k; p++) s0 += a[p] * b[p];
    return (s0 + s1) + (s2 + s3);
}

static void linear_portable(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y, int col0, int col1) {
    for (int r = 0; r < rows; r++)
        for (int j = col0; j < col1; j++)
            y[(long)r * out + j] = dot_portable(x + (long)r * in, w + (long)j * in, in) + bias[j];
}

#ifdef CK_X86
__attribute__((target("avx2,fma")))
static inline float hsum(__m256 v) {
    __m128 lo = _mm256_castps256_ps128(v), hi = _mm256_extractf128_ps(v, 1);
    lo = _mm_add_ps(lo, hi);
    __m128 sh = _mm_movehdup_ps(lo);
    __m128 sums = _mm_add_ps(lo, sh);
    sh = _mm_movehl_ps(sh, sums);
    sums = _mm_add_ss(sums, sh);
    return _mm_cvtss_f32(sums);
}

__attribute__((target("avx2,fma")))
static void linear_avx2(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y, int col0, int col1) {
    // Column panels of 32 weight rows stay in cache while every row pair of x passes over them.
    for (int jb = col0; jb < col1; jb += 32) {
    int jend = jb + 32 < col1 ? jb + 32 : col1;
    int r = 0;
    for (; r + 2 <= rows; r += 2) {
        const float *a0 = x + (long)r * in, *a1 = a0 + in;
        int j = jb;
        for (; j + 4 <= jend; j += 4) {
            const float *b0 = w + (long)j * in, *b1 = b0 + in, *b2 = b1 + in, *b3 = b2 + in;
            __m256 s00 = _mm256_setzero_ps(), s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
            int p = 0;
            for (; p + 8 <= in; p += 8) {
                __m256 va0 = _mm256_loadu_ps(a0 + p), va1 = _mm256_loadu_ps(a1 + p);
                __m256 vb = _mm256_loadu_ps(b0 + p);
                s00 = _mm256_fmadd_ps(va0, vb, s00); s10 = _mm256_fmadd_ps(va1, vb, s10);
                vb = _mm256_loadu_ps(b1 + p);
                s01 = _mm256_fmadd_ps(va0, vb, s01); s11 = _mm256_fmadd_ps(va1, vb, s11);
                vb = _mm256_loadu_ps(b2 + p);
                s02 = _mm256_fmadd_ps(va0, vb, s02); s12 = _mm256_fmadd_ps(va1, vb, s12);
                vb = _mm256_loadu_ps(b3 + p);
                s03 = _mm256_fmadd_ps(va0, vb, s03); s13 = _mm256_fmadd_ps(va1, vb, s13);
            }
            float c[8] = {hsum(s00), hsum(s01), hsum(s02), hsum(s03), hsum(s10), hsum(s11), hsum(s12), hsum(s13)};
            for (; p < in; p++) {
                c[0] += a0[p] * b0[p]; c[1] += a0[p] * b1[p]; c[2] += a0[p] * b2[p]; c[3] += a0[p] * b3[p];
                c[4] += a1[p] * b0[p]; c[5] += a1[p] * b1[p]; c[6] += a1[p] * b2[p]; c[7] += a1[p] * b3[p];
            }
            float *y0 = y + (long)r * out + j, *y1 = y0 + out;
            y0[0] = c[0] + bias[j]; y0[1] = c[1] + bias[j + 1]; y0[2] = c[2] + bias[j + 2]; y0[3] = c[3] + bias[j + 3];
            y1[0] = c[4] + bias[j]; y1[1] = c[5] + bias[j + 1]; y1[2] = c[6] + bias[j + 2]; y1[3] = c[7] + bias[j + 3];
        }
        for (; j < jend; j++) {
            y[(long)r * out + j] = dot_portable(a0, w + (long)j * in, in) + bias[j];
            y[(long)(r + 1) * out + j] = dot_portable(a1, w + (long)j * in, in) + bias[j];
        }
    }
    if (r < rows) linear_portable(x + (long)r * in, rows - r, in, w, bias, out, y + (long)r * out, jb, jend);
    }
}
#endif

int ck_has_avx2(void) {
#ifdef CK_X86
    static int cached = -1;
    if (cached < 0) { __builtin_cpu_init(); cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"); }
    return cached;
#else
    return 0;
#endif
}

void ck_linear(const float *x, int rows, int in, const float *w, const float *bias, int out, float *y, int col0, int col1) {
#ifdef CK_X86
    if (ck_has_avx2()) { linear_avx2(x, rows, in, w, bias, out, y, col0, col1); return; }
#endif
    linear_portable(x, rows, in, w, bias, out, y, col0, col1);
}

// GELU with erf from Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7) and exp by range
// reduction and a degree-6 polynomial, written so the compiler vectorises the loop.
static inline float exp_neg(float x) {            // x <= 0
    if (x < -87.0f) return 0.0f;
    float n = __builtin_floorf(x * 1.44269504f + 0.5f);
    float r = x - n * 0.693145752f - n * 1.42860677e-6f;
    float p = 1.0f + r * (1.0f + r * (0.5f + r * (0.166666672f + r * (0.0416666679f + r * (0.00833333377f + r * 0.00138888892f)))));
    int e = (int)n + 127;
    union { int i; float f; } u;
    u.i = e << 23;
    return p * u.f;
}

static void gelu_range(float *x, long n) {
    for (long i = 0; i < n; i++) {
        float v = x[i];
        float z = v * 0.70710678118654752f;
        float a = z < 0 ? -z : z;
        float t = 1.0f / (1.0f + 0.3275911f * a);
        float poly = t * (0.254829592f + t * (-0.284496736f + t * (1.421413741f + t * (-1.453152027f + t * 1.061405429f))));
        float erfa = 1.0f - poly * exp_neg(-a * a);
        float erfz = z < 0 ? -erfa : erfa;
        x[i] = 0.5f * v * (1.0f + erfz);
    }
}

#ifdef CK_X86
__attribute__((target("avx2,fma")))
static void gelu_avx2(float *x, long n) { gelu_range(x, n); }
#endif

void ck_gelu(float *x, long n) {
#ifdef CK_X86
    if (ck_has_avx2()) { gelu_avx2(x, n); return; }
#endif
    gelu_range(x, n);
}

// MARK: - Substring search (ck_find)

static inline unsigned char ck_fold(unsigned char c, int fold) { return fold && c >= 'A' && c <= 'Z' ? (unsigned char)(c | 0x20) : c; }

static inline int ck_equal_at(const unsigned char *h, const unsigned char *needle, long m, int fold) {
    for (long j = 0; j < m; j++) if (ck_fold(h[j], fold) != needle[j]) return 0;
    return 1;
}

long ck_find(const unsigned char *hay, long n, const unsigned char *needle, long m, int fold) {
    if (m <= 0) return 0;
    if (n < m) return -1;
    long i = 0;
#if defined(__SSE2__)
    // A byte OR 0x20 equals a lower-case letter exactly when it is that letter in either case; other
    // first and last bytes are compared as they are.
    const unsigned char first = needle[0], last = needle[m - 1];
    const __m128i f = _mm_set1_epi8((char)first), l = _mm_set1_epi8((char)last);
    const __m128i fm = _mm_set1_epi8(fold && first >= 'a' && first <= 'z' ? 0x20 : 0);
    const __m128i lm = _mm_set1_epi8(fold && last >= 'a' && last <= 'z' ? 0x20 : 0);
    for (; i + m - 1 + 16 <= n; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(hay + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(hay + i + m - 1));
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(_mm_or_si128(a, fm), f),
                                                                  _mm_cmpeq_epi8(_mm_or_si128(b, lm), l)));
        while (mask) {
            int bit = __builtin_ctz(mask);
            if (ck_equal_at(hay + i + bit, needle, m, fold)) return i + bit;
            mask &= mask - 1;
        }
    }
#endif
    for (; i + m <= n; i++) if (ck_equal_at(hay + i, needle, m, fold)) return i;
    return -1;
}

// Whether the byte at k starts something that might hide a character: a JSON escape `\u` (or `\/`
// with `slash`) when `escapes`, or U+037E, U+1FEF, U+212A. Escapes are read in pairs from the left
// (`*skip` is where the last one ended), so the `u` of an escaped backslash followed by `u` is text.
static inline int ck_hides_at(const unsigned char *t, long n, long k, int escapes, int slash, long *skip) {
    switch (t[k]) {
    case '\\':
        if (!escapes || k < *skip) return 0;
        *skip = k + 2;
        return k + 1 < n && (t[k + 1] == 'u' || (slash && t[k + 1] == '/'));
    case 0xCD: return k + 1 < n && t[k + 1] == 0xBE;
    case 0xE1: return k + 2 < n && t[k + 1] == 0xBF && t[k + 2] == 0xAF;
    case 0xE2: return k + 2 < n && t[k + 1] == 0x84 && t[k + 2] == 0xAA;
    default: return 0;
    }
}

int ck_may_hide(const unsigned char *t, long n, int escapes, int slash) {
    long i = 0, skip = 0;
#if defined(__SSE2__)
    const __m128i bs = _mm_set1_epi8(escapes ? '\\' : (char)0xE2), cd = _mm_set1_epi8((char)0xCD);
    const __m128i e1 = _mm_set1_epi8((char)0xE1), e2 = _mm_set1_epi8((char)0xE2);
    for (; i + 16 <= n; i += 16) {
        __m128i a = _mm_loadu_si128((const __m128i *)(t + i));
        unsigned mask = (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(a, bs), _mm_cmpeq_epi8(a, cd)),
                                                                 _mm_or_si128(_mm_cmpeq_epi8(a, e1), _mm_cmpeq_epi8(a, e2))));
        while (mask) {
            if (ck_hides_at(t, n, i + __builtin_ctz(mask), escapes, slash, &skip)) return 1;
            mask &= mask - 1;
        }
    }
#endif
    for (; i < n; i++) if (ck_hides_at(t, n, i, escapes, slash, &skip)) return 1;
    return 0;
}
