/* Fused attention with grouped-query heads and the causal / key-length mask applied inside, on BLAS
 * sub-products per (batch, head, block of query rows): scores = scale * Q K^T, a masked row softmax (its
 * log-sum-exp saved), out = P V. The backward recomputes P from the saved lse (FlashAttention's recipe,
 * without tiling over keys) and runs per (batch, kv head), so the heads sharing a kv head never race on dk/dv. */
#include "kern.h"
#include "pool.h"
#include "vmath.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#ifdef __APPLE__
#define ACCELERATE_NEW_LAPACK
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

#define ROW_BLOCK 64
#define ATTN_PARALLEL_FLOPS 1000000.0

typedef struct {
  const float *dout, *q, *k, *v, *out, *lse_in;
  float *o, *lse, *dq, *dk, *dv;
  size_t B, T, S, nh, nkv, hs, blocks;
  float scale;
  int causal;
  const int32_t *kvLen;
  atomic_int failed;
} attn_job;

/* index of the last key query row t of batch row b sees; negative: none */
static long last_key(const attn_job *j, size_t b, size_t t) {
  long last = j->causal ? (long)j->S - (long)j->T + (long)t : (long)j->S - 1;
  if (j->kvLen && (long)j->kvLen[b] - 1 < last) last = (long)j->kvLen[b] - 1;
  if (last > (long)j->S - 1) last = (long)j->S - 1;
  return last;
}

static void sgemm(int ta, int tb, size_t M, size_t N, size_t K, float alpha, const float *a, size_t lda,
                  const float *b, size_t ldb, float beta, float *c, size_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M, (int)N, (int)K,
              alpha, a, (int)lda, b, (int)ldb, beta, c, (int)ldc);
}

/* P (tb, n) from scaled scores already in P: masked, exponentiated against lse (given) or against the
 * row's own log-sum-exp (computed, normalised and stored when lse_out is non-null). */
static void masked_probs(const attn_job *j, size_t b, size_t t0, size_t tb, size_t n, float *P,
                         const float *lse_in, float *lse_out) {
  for (size_t r = 0; r < tb; r++) {
    float *p = P + r * n;
    long last = last_key(j, b, t0 + r);
    size_t m = last < 0 ? 0 : (size_t)last + 1;
    if (lse_out) {
      float mx = -INFINITY, sum = 0.0f;
      for (size_t c = 0; c < m; c++) mx = p[c] > mx ? p[c] : mx;
      for (size_t c = 0; c < m; c++) { p[c] = r1_expf(p[c] - mx); sum += p[c]; }
      float inv = m ? 1.0f / sum : 0.0f;
      for (size_t c = 0; c < m; c++) p[c] *= inv;
      lse_out[r] = m ? mx + logf(sum) : -INFINITY;
    } else {
      float l = lse_in[r];
      for (size_t c = 0; c < m; c++) p[c] = r1_expf(p[c] - l);
    }
    for (size_t c = m; c < n; c++) p[c] = 0.0f;
  }
}

/* keys a block of query rows [t0, t0 + tb) needs: up to the last row's last key */
static size_t block_keys(const attn_job *j, size_t b, size_t t0, size_t tb) {
  long last = last_key(j, b, t0 + tb - 1);
  return last < 0 ? 0 : (size_t)last + 1;
}

static void fwd_task(void *ctx, size_t i) {
  attn_job *j = ctx;
  size_t blk = i % j->blocks, h = (i / j->blocks) % j->nh, b = i / (j->blocks * j->nh);
  size_t hs = j->hs, kh = h / (j->nh / j->nkv), ldq = j->nh * hs, ldk = j->nkv * hs;
  size_t t0 = blk * ROW_BLOCK, tb = j->T - t0 < ROW_BLOCK ? j->T - t0 : ROW_BLOCK;
  const float *Q = j->q + ((b * j->T + t0) * j->nh + h) * hs;
  const float *K = j->k + (b * j->S * j->nkv + kh) * hs, *V = j->v + (b * j->S * j->nkv + kh) * hs;
  float *O = j->o + ((b * j->T + t0) * j->nh + h) * hs, *lse = j->lse + (b * j->nh + h) * j->T + t0;
  size_t n = block_keys(j, b, t0, tb);
  if (n == 0) {
    for (size_t r = 0; r < tb; r++) { memset(O + r * ldq, 0, hs * sizeof(float)); lse[r] = -INFINITY; }
    return;
  }
  float *P = malloc(tb * n * sizeof(float));
  if (!P) { atomic_store(&j->failed, 1); return; }
  sgemm(0, 1, tb, n, hs, j->scale, Q, ldq, K, ldk, 0.0f, P, n);
  masked_probs(j, b, t0, tb, n, P, NULL, lse);
  sgemm(0, 0, tb, hs, n, 1.0f, P, n, V, ldk, 0.0f, O, ldq);
  free(P);
}

static double attn_flops(size_t B, size_t T, size_t S, size_t nh, size_t hs) {
  return 4.0 * (double)B * (double)nh * (double)T * (double)S * (double)hs;
}

int k_attention_fwd(const float *q, const float *k, const float *v, float *out, float *lse,
                    size_t B, size_t T, size_t S, size_t nh, size_t nkv, size_t hs, float scale, int causal,
                    const int32_t *kvLen) {
  if (B == 0 || T == 0 || nh == 0) return 0;
  attn_job j = { NULL, q, k, v, NULL, NULL, out, lse, NULL, NULL, NULL, B, T, S, nh, nkv, hs,
                 (T + ROW_BLOCK - 1) / ROW_BLOCK, scale, causal, kvLen, 0 };
  size_t tasks = B * nh * j.blocks;
  if (attn_flops(B, T, S, nh, hs) < ATTN_PARALLEL_FLOPS) {
    for (size_t i = 0; i < tasks; i++) fwd_task(&j, i);
  } else {
    pool_run(fwd_task, &j, tasks);
  }
  return atomic_load(&j.failed) ? -1 : 0;
}

static void bwd_task(void *ctx, size_t i) {
  attn_job *j = ctx;
  size_t kh = i % j->nkv, b = i / j->nkv, group = j->nh / j->nkv;
  size_t hs = j->hs, ldq = j->nh * hs, ldk = j->nkv * hs;
  const float *K = j->k + (b * j->S * j->nkv + kh) * hs, *V = j->v + (b * j->S * j->nkv + kh) * hs;
  float *dK = j->dk + (b * j->S * j->nkv + kh) * hs, *dV = j->dv + (b * j->S * j->nkv + kh) * hs;
  for (size_t s = 0; s < j->S; s++) {
    memset(dK + s * ldk, 0, hs * sizeof(float));
    memset(dV + s * ldk, 0, hs * sizeof(float));
  }
  size_t rows = j->T < ROW_BLOCK ? j->T : ROW_BLOCK;
  float *P = malloc(2 * rows * (j->S ? j->S : 1) * sizeof(float));
  if (!P) { atomic_store(&j->failed, 1); return; }
  for (size_t h = kh * group; h < (kh + 1) * group; h++) {
    for (size_t t0 = 0; t0 < j->T; t0 += ROW_BLOCK) {
      size_t tb = j->T - t0 < ROW_BLOCK ? j->T - t0 : ROW_BLOCK;
      size_t off = ((b * j->T + t0) * j->nh + h) * hs;
      const float *Q = j->q + off, *dO = j->dout + off, *O = j->out + off;
      const float *lse = j->lse_in + (b * j->nh + h) * j->T + t0;
      float *dQ = j->dq + off;
      size_t n = block_keys(j, b, t0, tb);
      if (n == 0) {
        for (size_t r = 0; r < tb; r++) memset(dQ + r * ldq, 0, hs * sizeof(float));
        continue;
      }
      float *dP = P + tb * n;
      sgemm(0, 1, tb, n, hs, j->scale, Q, ldq, K, ldk, 0.0f, P, n);
      masked_probs(j, b, t0, tb, n, P, lse, NULL);
      sgemm(1, 0, n, hs, tb, 1.0f, P, n, dO, ldq, 1.0f, dV, ldk);     /* dV += P^T dO */
      sgemm(0, 1, tb, n, hs, 1.0f, dO, ldq, V, ldk, 0.0f, dP, n);     /* dP = dO V^T */
      for (size_t r = 0; r < tb; r++) {
        const float *dor = dO + r * ldq, *orow = O + r * ldq;
        float D = 0.0f;
        for (size_t d = 0; d < hs; d++) D += dor[d] * orow[d];
        float *pr = P + r * n, *dpr = dP + r * n;
        for (size_t c = 0; c < n; c++) dpr[c] = pr[c] * (dpr[c] - D) * j->scale; /* dS, scaled */
      }
      sgemm(0, 0, tb, hs, n, 1.0f, dP, n, K, ldk, 0.0f, dQ, ldq);     /* dQ = dS K */
      sgemm(1, 0, n, hs, tb, 1.0f, dP, n, Q, ldq, 1.0f, dK, ldk);     /* dK += dS^T Q */
    }
  }
  free(P);
}

int k_attention_bwd(const float *dout, const float *q, const float *k, const float *v, const float *out,
                    const float *lse, float *dq, float *dk, float *dv,
                    size_t B, size_t T, size_t S, size_t nh, size_t nkv, size_t hs, float scale, int causal,
                    const int32_t *kvLen) {
  attn_job j = { dout, q, k, v, out, lse, NULL, NULL, dq, dk, dv, B, T, S, nh, nkv, hs, 0, scale, causal, kvLen, 0 };
  if (B == 0 || nkv == 0) return 0;
  size_t tasks = B * nkv;
  if (attn_flops(B, T, S, nh, hs) * 2.0 < ATTN_PARALLEL_FLOPS) {
    for (size_t i = 0; i < tasks; i++) bwd_task(&j, i);
  } else {
    pool_run(bwd_task, &j, tasks);
  }
  return atomic_load(&j.failed) ? -1 : 0;
}
