/* Batched GEMM on BLAS (OpenBLAS, or Accelerate on macOS), parallelised by the addon's own pool: BLAS runs
 * single-threaded inside each task, so only one thread pool ever spins on the cores. Work is split over
 * batch items, then over rows or columns of C; small products run inline on the calling thread. */
#include "kern.h"
#include "pool.h"
#include "bf16_scalar.h"
#ifdef __APPLE__
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

/* below this many flops a product runs on the calling thread (pool dispatch costs a few microseconds) */
#define GEMM_PARALLEL_FLOPS 2000000.0
/* a split piece keeps at least this many rows or columns */
#define GEMM_MIN_PIECE 16
/* a row product's columns go out in this many pieces per thread, taken as threads come free: a thread the machine
 * slows (it is shared) leaves its remaining pieces to the other, instead of the call waiting for its half */
#define ROWS_PIECES_PER_THREAD 8

void k_blas_init(void) {
#ifndef __APPLE__
  openblas_set_num_threads(1);
#endif
}

typedef struct {
  const float *a, *b;
  float *c;
  size_t M, N, K, sA, sB, sC;
  int ta, tb;
  float alpha, beta;
  size_t pieces; /* per batch item */
  int split_rows;
} gemm_job;

static void gemm_piece(const gemm_job *j, size_t item, size_t p0, size_t p1) {
  const float *a = j->a + item * j->sA, *b = j->b + item * j->sB;
  float *c = j->c + item * j->sC;
  size_t M = j->M, N = j->N, K = j->K;
  size_t lda = j->ta ? M : K, ldb = j->tb ? K : N;
  if (j->split_rows) {
    a += j->ta ? p0 : p0 * K;
    c += p0 * N;
    M = p1 - p0;
  } else {
    b += j->tb ? p0 * K : p0;
    c += p0;
    N = p1 - p0;
  }
  if (M == 0 || N == 0) return;
  if (K == 0 || j->alpha == 0.0f) {
    for (size_t i = 0; i < M; i++)
      for (size_t x = 0; x < N; x++) c[i * j->N + x] = j->beta == 0.0f ? 0.0f : j->beta * c[i * j->N + x];
    return;
  }
  cblas_sgemm(CblasRowMajor, j->ta ? CblasTrans : CblasNoTrans, j->tb ? CblasTrans : CblasNoTrans,
              (int)M, (int)N, (int)K, j->alpha, a, (int)lda, b, (int)ldb, j->beta, c, (int)j->N);
}

#if defined(__AVX512F__)
#include <immintrin.h>
/* k_gemm_rows: C = A B^T + beta * C with B (N, K) row-major, for a KV-cache step's few rows, where OpenBLAS packs B
 * and reaches half of what its large products do. Each block of 4 rows of B is read from memory once and meets the
 * rows of A 4 at a time in FMA accumulators (A stays in cache) while the next block is prefetched; the sums along K
 * run in 16-float lanes, reduced at the end: one order for every element whatever M, so a row's result does not
 * depend on the rows beside it. */

/* the 16-lane sums of v[0..3], as 4 floats: pairs of lanes, then within each 128-bit quarter, then the quarters */
static inline __m128 sum4(__m512 v0, __m512 v1, __m512 v2, __m512 v3) {
  __m512 t0 = _mm512_add_ps(_mm512_unpacklo_ps(v0, v1), _mm512_unpackhi_ps(v0, v1));
  __m512 t1 = _mm512_add_ps(_mm512_unpacklo_ps(v2, v3), _mm512_unpackhi_ps(v2, v3));
  __m512 u = _mm512_add_ps(_mm512_shuffle_ps(t0, t1, _MM_SHUFFLE(1, 0, 1, 0)), _mm512_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 2, 3, 2)));
  __m256 h = _mm256_add_ps(_mm512_castps512_ps256(u), _mm512_extractf32x8_ps(u, 1));
  return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

/* C rows c[0..MB), columns n0..n0+nb = the lane sums of acc (+ beta * C) */
static inline __attribute__((always_inline)) void store_sums(__m512 acc[4][4], float *const *c, size_t n0, size_t nb, float beta, const size_t MB) {
  __mmask8 cm = (__mmask8)((1u << nb) - 1);
  for (size_t i = 0; i < MB; i++) {
    __m128 s = sum4(acc[i][0], acc[i][1], acc[i][2], acc[i][3]);
    float *out = c[i] + n0;
    if (beta != 0.0f) s = _mm_fmadd_ps(_mm_set1_ps(beta), _mm_maskz_loadu_ps(cm, out), s);
    _mm_mask_storeu_ps(out, cm, s);
  }
}

/* MB (1..4) rows of A from a[] against the nb (<= 4) rows of B from b[]; C rows c[], columns n0..n0+nb; pf[0..npf)
 * are rows of the next block of B to fetch into cache meanwhile */
static inline __attribute__((always_inline)) void small_block(const float *const *a, const float *const *b, float *const *c,
                                                              size_t n0, size_t nb, size_t K, float beta,
                                                              const float *const *pf, size_t npf, const size_t MB) {
  __m512 acc[4][4];
  for (size_t i = 0; i < MB; i++) for (size_t j = 0; j < 4; j++) acc[i][j] = _mm512_setzero_ps();
  size_t k = 0;
  for (; k + 16 <= K; k += 16) {
    __m512 bv[4], av;
    for (size_t j = 0; j < npf; j++) _mm_prefetch((const char *)(pf[j] + k), _MM_HINT_T1); /* into L2: T0 and NTA were slower */
    for (size_t j = 0; j < 4; j++) bv[j] = _mm512_loadu_ps(b[j] + k);
    for (size_t i = 0; i < MB; i++) {
      av = _mm512_loadu_ps(a[i] + k);
      for (size_t j = 0; j < 4; j++) acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
    }
  }
  if (k < K) {
    __mmask16 mask = (__mmask16)((1u << (K - k)) - 1);
    __m512 bv[4], av;
    for (size_t j = 0; j < 4; j++) bv[j] = _mm512_maskz_loadu_ps(mask, b[j] + k);
    for (size_t i = 0; i < MB; i++) {
      av = _mm512_maskz_loadu_ps(mask, a[i] + k);
      for (size_t j = 0; j < 4; j++) acc[i][j] = _mm512_fmadd_ps(av, bv[j], acc[i][j]);
    }
  }
  store_sums(acc, c, n0, nb, beta, MB);
}

/* small_block with B as BF16 bits in the k_pack_w16 layout: each 32-bit lane i of a 32-value group holds k = i in its
 * low half and k = 16 + i in its high half, so a shift and a mask give the two 16-float vectors in the order of A,
 * and each lane sums its k in the order small_block does (the same result as small_block on the rounded weights) */
static inline __attribute__((always_inline)) void small_block_w16(const float *const *a, const uint16_t *const *b, float *const *c,
                                                                  size_t n0, size_t nb, size_t K, float beta,
                                                                  const uint16_t *const *pf, size_t npf, const size_t MB) {
  __m512 acc[4][4];
  for (size_t i = 0; i < MB; i++) for (size_t j = 0; j < 4; j++) acc[i][j] = _mm512_setzero_ps();
  const __m512i high = _mm512_set1_epi32((int)0xFFFF0000u);
  for (size_t k = 0; k < K; k += 32) {
    __m512 lo[4], hi[4], a0, a1;
    for (size_t j = 0; j < npf; j++) _mm_prefetch((const char *)(pf[j] + k), _MM_HINT_T1);
    for (size_t j = 0; j < 4; j++) {
      __m512i raw = _mm512_loadu_si512((const void *)(b[j] + k));
      lo[j] = _mm512_castsi512_ps(_mm512_slli_epi32(raw, 16));
      hi[j] = _mm512_castsi512_ps(_mm512_and_si512(raw, high));
    }
    __mmask16 m0 = 0xFFFF, m1 = 0xFFFF;
    if (k + 32 > K) { /* the last group: A's values past K are zero (the packed weights there are zero too) */
      size_t r = K - k;
      m0 = r >= 16 ? 0xFFFF : (__mmask16)((1u << r) - 1);
      m1 = r >= 32 ? 0xFFFF : r <= 16 ? 0 : (__mmask16)((1u << (r - 16)) - 1);
    }
    for (size_t i = 0; i < MB; i++) {
      a0 = _mm512_maskz_loadu_ps(m0, a[i] + k);
      a1 = _mm512_maskz_loadu_ps(m1, a[i] + k + 16);
      for (size_t j = 0; j < 4; j++) acc[i][j] = _mm512_fmadd_ps(a0, lo[j], acc[i][j]);
      for (size_t j = 0; j < 4; j++) acc[i][j] = _mm512_fmadd_ps(a1, hi[j], acc[i][j]);
    }
  }
  store_sums(acc, c, n0, nb, beta, MB);
}

typedef struct {
  const float *a;
  const void *b; /* float (N, K), or BF16 bits (N, w16_stride(K)) when w16 */
  float *c;
  size_t M, N, K, pieces;
  float beta;
  int w16;
} small_job;

/* columns [n0, n1) of C, every row: block by block of B, the rows of A 4 at a time */
static inline __attribute__((always_inline)) void small_range_t(const small_job *j, size_t n0, size_t n1, const int w16) {
  const size_t K = j->K, ld = w16 ? w16_stride(K) : K, size = w16 ? 2 : 4;
  const char *base = j->b;
  for (size_t n = n0; n < n1; n += 4) {
    size_t nb = n1 - n < 4 ? n1 - n : 4;
    const void *b[4], *pf[4];
    for (size_t x = 0; x < 4; x++) b[x] = base + (n + (x < nb ? x : 0)) * ld * size;
    size_t ahead = n + 4; /* the next block (2 or 4 blocks ahead were no faster) */
    int more = ahead < n1;
    for (size_t x = 0; x < 4; x++) pf[x] = more ? base + (ahead + (ahead + x < n1 ? x : 0)) * ld * size : NULL;
    for (size_t m = 0; m < j->M; m += 4) {
      size_t mb = j->M - m < 4 ? j->M - m : 4;
      const float *a[4];
      float *c[4];
      for (size_t x = 0; x < 4; x++) {
        size_t r = m + (x < mb ? x : 0);
        a[x] = j->a + r * K;
        c[x] = j->c + r * j->N;
      }
      /* pass p of P over this block fetches rows p, p + P, ... of the next one */
      size_t P = (j->M + 3) / 4 < 4 ? (j->M + 3) / 4 : 4, p = m / 4, npf = 0;
      const void *mine[4];
      if (more && p < P) for (size_t x = p; x < 4; x += P) mine[npf++] = pf[x];
#define BLOCK(MB) (w16 ? small_block_w16(a, (const uint16_t *const *)b, c, n, nb, K, j->beta, (const uint16_t *const *)mine, npf, MB) \
                       : small_block(a, (const float *const *)b, c, n, nb, K, j->beta, (const float *const *)mine, npf, MB))
      switch (mb) {
        case 4: BLOCK(4); break;
        case 3: BLOCK(3); break;
        case 2: BLOCK(2); break;
        default: BLOCK(1); break;
      }
#undef BLOCK
    }
  }
}
static void small_range(const small_job *j, size_t n0, size_t n1) {
  if (j->w16) small_range_t(j, n0, n1, 1);
  else small_range_t(j, n0, n1, 0);
}

/* piece i of j->pieces: whole 4-row blocks of B */
static void small_task(void *ctx, size_t i) {
  const small_job *j = ctx;
  size_t blocks = (j->N + 3) / 4, b0 = blocks * i / j->pieces, b1 = blocks * (i + 1) / j->pieces;
  small_range(j, 4 * b0, 4 * b1 < j->N ? 4 * b1 : j->N);
}
#endif

static void gemm_task(void *ctx, size_t i) {
  const gemm_job *j = ctx;
  size_t item = i / j->pieces, p = i % j->pieces, len = j->split_rows ? j->M : j->N;
  gemm_piece(j, item, len * p / j->pieces, len * (p + 1) / j->pieces);
}

void k_gemm(const float *a, const float *b, float *c, size_t batch, size_t M, size_t N, size_t K,
            int transA, int transB, float alpha, float beta, size_t strideA, size_t strideB, size_t strideC) {
  if (batch == 0 || M == 0 || N == 0) return;
  gemm_job j = { a, b, c, M, N, K, strideA, strideB, strideC, transA, transB, alpha, beta, 1, 1 };
  double flops = 2.0 * (double)M * (double)N * (double)K * (double)batch;
  size_t threads = (size_t)pool_threads();
  if (threads < 2 || flops < GEMM_PARALLEL_FLOPS) {
    for (size_t i = 0; i < batch; i++) gemm_piece(&j, i, 0, M);
    return;
  }
  if (batch < threads) {
    /* too few items to go round: cut each into pieces along the longer side of C */
    j.split_rows = M >= N;
    size_t len = j.split_rows ? M : N;
    size_t want = (threads + batch - 1) / batch, most = len / GEMM_MIN_PIECE;
    j.pieces = want < most ? want : (most > 0 ? most : 1);
  }
  pool_run(gemm_task, &j, batch * j.pieces);
}

#if defined(__AVX512F__)
/* the columns of C in pieces of whole 4-row blocks of B, ROWS_PIECES_PER_THREAD per thread, or all on this thread when small */
static void rows_run(small_job *sj) {
  size_t blocks = (sj->N + 3) / 4, threads = (size_t)pool_threads();
  if (threads < 2 || 2.0 * (double)sj->M * (double)sj->N * (double)sj->K < GEMM_PARALLEL_FLOPS || blocks < 2) { small_range(sj, 0, sj->N); return; }
  size_t want = threads * ROWS_PIECES_PER_THREAD;
  sj->pieces = want < blocks ? want : blocks;
  pool_run(small_task, sj, sj->pieces);
}
#endif

typedef struct {
  const float *b;
  uint16_t *out;
  size_t K;
} pack_w16_job;

/* rows [n0, n1) of k_pack_w16 */
static void pack_w16_rows(void *ctx, size_t n0, size_t n1) {
  const pack_w16_job *j = ctx;
  size_t K = j->K, ld = w16_stride(K);
  for (size_t n = n0; n < n1; n++) {
    const float *row = j->b + n * K;
    uint16_t *o = j->out + n * ld;
    size_t g = 0;
#if defined(__AVX512F__)
    /* rounding as rbf: a NaN stays quiet, else add 0x7fff plus the lowest kept bit, keep the high half */
    const __m512i abs = _mm512_set1_epi32(0x7fffffff), inf = _mm512_set1_epi32(0x7f800000), quiet = _mm512_set1_epi32(0x400000),
                  half = _mm512_set1_epi32(0x7fff), one = _mm512_set1_epi32(1), high = _mm512_set1_epi32((int)0xffff0000u);
#define RNE(u) _mm512_mask_or_epi32(_mm512_add_epi32(_mm512_add_epi32(u, half), _mm512_and_si512(_mm512_srli_epi32(u, 16), one)), \
                                    _mm512_cmpgt_epu32_mask(_mm512_and_si512(u, abs), inf), u, quiet)
    for (; g + 32 <= K; g += 32) {
      __m512i lo = RNE(_mm512_loadu_si512((const void *)(row + g))), hi = RNE(_mm512_loadu_si512((const void *)(row + g + 16)));
      _mm512_storeu_si512((void *)(o + g), _mm512_or_si512(_mm512_srli_epi32(lo, 16), _mm512_and_si512(hi, high)));
    }
#undef RNE
#endif
    for (size_t k = g; k < ld; k++) o[w16_index(k)] = k < K ? to_bf16(row[k]) : 0;
  }
}

void k_pack_w16(const float *b, uint16_t *out, size_t N, size_t K) {
  pack_w16_job j = { b, out, K };
  pool_for(N, 64, pack_w16_rows, &j);
}

void k_gemm_rows_w16(const float *a, const uint16_t *b, float *c, size_t M, size_t N, size_t K, float beta) {
  if (M == 0 || N == 0) return;
#if defined(__AVX512F__)
  small_job sj = { a, b, c, M, N, K, 1, beta, 1 };
  if (K > 0) { rows_run(&sj); return; }
#endif
  size_t ld = w16_stride(K);
  for (size_t i = 0; i < M; i++)
    for (size_t n = 0; n < N; n++) {
      const uint16_t *row = b + n * ld;
      float s = 0.0f;
      for (size_t k = 0; k < K; k++) s += a[i * K + k] * from_bf16(row[w16_index(k)]);
      c[i * N + n] = beta == 0.0f ? s : s + beta * c[i * N + n];
    }
}

void k_gemm_rows(const float *a, const float *b, float *c, size_t M, size_t N, size_t K, float beta) {
  if (M == 0 || N == 0) return;
#if defined(__AVX512F__)
  if (K > 0) {
    small_job sj = { a, b, c, M, N, K, 1, beta, 0 };
    rows_run(&sj);
    return;
  }
#endif
  k_gemm(a, b, c, 1, M, N, K, 0, 1, 1.0f, beta, 0, 0, 0);
}
