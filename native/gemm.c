/* Batched GEMM on BLAS (OpenBLAS, or Accelerate on macOS), parallelised by the addon's own pool: BLAS runs
 * single-threaded inside each task, so only one thread pool ever spins on the cores. Work is split over
 * batch items, then over rows or columns of C; small products run inline on the calling thread. */
#include "kern.h"
#include "pool.h"
#ifdef __APPLE__
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

/* below this many flops a product runs on the calling thread (pool dispatch costs a few microseconds) */
#define GEMM_PARALLEL_FLOPS 2000000.0
/* a split piece keeps at least this many rows or columns */
#define GEMM_MIN_PIECE 16

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
