/* Fused attention with grouped-query heads and the causal / key-length mask applied inside. Per (batch, head,
 * block of query rows): scores = scale * Q K^T on register tiles (tiles.h) that skip keys a group of 4 rows
 * cannot see, a masked row softmax (its log-sum-exp saved), out = P V. The backward recomputes P from the saved
 * lse (FlashAttention's recipe, without tiling over keys) and runs per (batch, kv head), so the heads sharing a
 * kv head accumulate dk/dv in one task. Scratch copies are padded (hs to a multiple of 8, keys to 16).
 * The BF16 variant (PyTorch CPU autocast's attention) runs the same tasks with every product on bf16.c's packed
 * tiles: operands rounded to BF16 (P and dS included), FP32 accumulation; softmax, lse, D and masking stay FP32. */
#include "kern.h"
#include "pool.h"
#include "tiles.h"
#include "vmath.h"
#include "bf16_scalar.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>

#define ROW_BLOCK 64
#define ATTN_PARALLEL_FLOPS 1000000.0

typedef struct {
  const float *dout, *q, *k, *v, *out, *lse_in;
  float *o, *lse, *dq, *dk, *dv;
  size_t B, T, S, nh, nkv, hs, hp;
  float scale;
  int causal;
  const int32_t *kvLen;
  atomic_int failed;
} attn_job;

static size_t rup(size_t x, size_t k) { return (x + k - 1) / k * k; }

/* keys query row t of batch row b sees: [0, m) */
static size_t visible(const attn_job *j, size_t b, size_t t) {
  long last = j->causal ? (long)j->S - (long)j->T + (long)t : (long)j->S - 1;
  if (j->kvLen && (long)j->kvLen[b] - 1 < last) last = (long)j->kvLen[b] - 1;
  if (last > (long)j->S - 1) last = (long)j->S - 1;
  return last < 0 ? 0 : (size_t)last + 1;
}

/* Per-row visible counts m (padded rows: 0) and per-4-row-group limits for the tiles; returns the block's keys. */
typedef struct { size_t m[ROW_BLOCK], jlim[ROW_BLOCK / 4], jmax[ROW_BLOCK / 4]; } block_info;

static size_t block_setup(const attn_job *j, size_t b, size_t t0, size_t tb, size_t tbp, block_info *bi) {
  size_t n = 0;
  for (size_t r = 0; r < tbp; r++) {
    bi->m[r] = r < tb ? visible(j, b, t0 + r) : 0;
    if (bi->m[r] > n) n = bi->m[r];
  }
  for (size_t g = 0; g < tbp / 4; g++) {
    size_t mx = 0;
    for (size_t r = 4 * g; r < 4 * g + 4; r++) mx = bi->m[r] > mx ? bi->m[r] : mx;
    bi->jmax[g] = mx;
    bi->jlim[g] = rup(mx, 16);
  }
  return n;
}

/* rows of a (B, T|S, heads, hs) tensor into a zero-padded (rows, hp) scratch */
static void gather_rows(float *dst, const float *src, size_t ld, size_t rows, size_t rowsp, size_t hs, size_t hp) {
  memset(dst + rows * hp, 0, (rowsp - rows) * hp * sizeof(float));
  for (size_t r = 0; r < rows; r++) {
    float *d = dst + r * hp;
    const float *s = src + r * ld;
    for (size_t c = 0; c < hs; c++) d[c] = s[c];
    for (size_t c = hs; c < hp; c++) d[c] = 0.0f;
  }
}

/* transposed: dst (hp, np)[d][j] = src row j, element d, for j < n */
static void gather_cols(float *dst, const float *src, size_t ld, size_t n, size_t np, size_t hs, size_t hp) {
  memset(dst, 0, hp * np * sizeof(float));
  for (size_t jj = 0; jj < n; jj++)
    for (size_t d = 0; d < hs; d++) dst[d * np + jj] = src[jj * ld + d];
}

static void scatter_rows(float *dst, const float *src, size_t ld, size_t rows, size_t hs, size_t hp) {
  for (size_t r = 0; r < rows; r++) {
    float *d = dst + r * ld;
    const float *s = src + r * hp;
    for (size_t c = 0; c < hs; c++) d[c] = s[c];
  }
}

/* p[0, m) = softmax of itself, in place, rounded to BF16 when bf16 (the P that BF16 products take); returns the
 * log-sum-exp of the row, -inf when m = 0 */
static float softmax_row(float *p, size_t m, int bf16) {
  if (m == 0) return -INFINITY;
  float mx = r1_maxf(p, m), sum = 0.0f;
  for (size_t c = 0; c < m; c++) { p[c] = r1_expf(p[c] - mx); sum += p[c]; }
  float inv = 1.0f / sum;
  if (bf16) for (size_t c = 0; c < m; c++) p[c] = rbf(p[c] * inv);
  else for (size_t c = 0; c < m; c++) p[c] *= inv;
  return mx + logf(sum);
}

/* P rows (stride np): exponentiated against lse_in, or normalised with lse_out written; zero beyond m[r] */
static void masked_probs(const block_info *bi, size_t tb, size_t tbp, size_t np, float *P, const float *lse_in, float *lse_out) {
  for (size_t r = 0; r < tbp; r++) {
    float *p = P + r * np;
    size_t m = bi->m[r];
    if (r >= tb) { memset(p, 0, np * sizeof(float)); continue; }
    if (lse_out) {
      lse_out[r] = softmax_row(p, m, 0);
    } else {
      float l = lse_in[r];
      for (size_t c = 0; c < m; c++) p[c] = r1_expf(p[c] - l);
    }
    memset(p + m, 0, (np - m) * sizeof(float));
  }
}

/* Decode-sized blocks (T <= 2 query rows): dot products straight off the K/V rows, no transposed copies or
 * 4-row padding (a KV-cache step reads each key once). s holds one row of scores (S floats); in bf16, q's rounded
 * copy (hs floats) and the visible K and V rows rounded once for the task's heads (2 x S x hs floats), so the
 * products of BF16 values run as the FP32 loops do (exact in FP32, the sums FP32, as on the tiles; AMX does not
 * pay for one or two rows: packing K and V dominates). */
static void fwd_direct(const attn_job *j, size_t b, size_t kh, float *s, int bf16) {
  size_t group = j->nh / j->nkv, hs = j->hs, ldk = j->nkv * hs;
  const float *K = j->k + (b * j->S * j->nkv + kh) * hs, *V = j->v + (b * j->S * j->nkv + kh) * hs;
  float *qr = s + (j->S ? j->S : 1);
  if (bf16) {
    size_t mmax = 0;
    for (size_t t = 0; t < j->T; t++) { size_t m = visible(j, b, t); if (m > mmax) mmax = m; }
    float *kr = qr + hs, *vr = kr + j->S * hs;
    for (size_t c = 0; c < mmax; c++)
      for (size_t d = 0; d < hs; d++) { kr[c * hs + d] = rbf(K[c * ldk + d]); vr[c * hs + d] = rbf(V[c * ldk + d]); }
    K = kr; V = vr; ldk = hs;
  }
  for (size_t h = kh * group; h < (kh + 1) * group; h++) {
    for (size_t t = 0; t < j->T; t++) {
      const float *q = j->q + ((b * j->T + t) * j->nh + h) * hs;
      float *o = j->o + ((b * j->T + t) * j->nh + h) * hs, *lse = j->lse + (b * j->nh + h) * j->T + t;
      size_t m = visible(j, b, t);
      for (size_t d = 0; d < hs; d++) o[d] = 0.0f;
      if (m == 0) { *lse = -INFINITY; continue; }
      if (bf16) {
        for (size_t d = 0; d < hs; d++) qr[d] = rbf(q[d]);
        q = qr;
      }
      for (size_t c = 0; c < m; c++) {
        const float *kr = K + c * ldk;
        float acc = 0.0f;
        for (size_t d = 0; d < hs; d++) acc += q[d] * kr[d];
        s[c] = acc * j->scale;
      }
      *lse = softmax_row(s, m, bf16);
      for (size_t c = 0; c < m; c++) {
        const float *vr = V + c * ldk;
        for (size_t d = 0; d < hs; d++) o[d] += s[c] * vr[d];
      }
    }
  }
}

/* one row of scores (and, in bf16, q's rounded copy and the rounded K / V rows) for fwd_direct */
static void fwd_direct_task(attn_job *j, size_t b, size_t kh, int bf16) {
  size_t S1 = j->S ? j->S : 1;
  float *srow = malloc((S1 + (bf16 ? j->hs + 2 * j->S * j->hs : 0)) * sizeof(float));
  if (!srow) { atomic_store(&j->failed, 1); return; }
  fwd_direct(j, b, kh, srow, bf16);
  free(srow);
}

/* A KV-cache decode step (k_attention_decode, FP32 or BF16 cache): per (batch row, kv head) task, the g query heads
 * of the group read each visible K and V row once, straight off the cache (a BF16 row widened from its 16 bits in
 * registers). On a BF16 cache q is rounded to BF16, products of BF16 values are summed in FP32 and P is rounded:
 * fwd_direct's bf16 numerics, reading half the bytes. A task's numbers depend only on its own row. */
typedef struct {
  const float *q;
  const void *k, *v;
  float *o, *lse;
  size_t B, S, nh, nkv, hs;
  float scale;
  const int32_t *kvLen;
  int bf16;
  atomic_int failed;
} dec_job;

static inline float load1(const void *p, size_t i, int bf16) {
  return bf16 ? from_bf16(((const uint16_t *)p)[i]) : ((const float *)p)[i];
}

#if defined(__AVX512F__)
#include <immintrin.h>
#ifndef DEC_PF
#define DEC_PF 24
#endif
static inline __m512 widen16(const uint16_t *p) {
  return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p)), 16));
}
static inline __m512 load16(const void *p, size_t i, int bf16) {
  return bf16 ? widen16((const uint16_t *)p + i) : _mm512_loadu_ps((const float *)p + i);
}
/* the cache row c + DEC_PF, hs values of es bytes, into L1 */
static inline void prefetch_row(const void *p, size_t c, size_t ld, size_t hs, size_t es) {
  for (size_t l = 0; l < hs * es; l += 64) _mm_prefetch((const char *)p + (c + DEC_PF) * ld * es + l, _MM_HINT_T0);
}
#endif

#if defined(__AVX512F__)
/* the 16 lane sums of v[0..15] as one vector, lane x = v[x]'s: each with the pairing _mm512_reduce_add_ps uses (lanes
 * i + i+8, then + i+4, then + i+2, then + i+1), so each sum is the same float, 45 instructions for 16 sums */
static inline __m512 half_sums(__m512 a, __m512 b) { /* [a's lanes i + i+8 | b's] */
  return _mm512_add_ps(_mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(1, 0, 1, 0)), _mm512_shuffle_f32x4(a, b, _MM_SHUFFLE(3, 2, 3, 2)));
}
static inline __m512 sum16(const __m512 *v) {
  __m512 w[8];
  for (int i = 0; i < 4; i++) { /* w[2i], w[2i+1]: keys i, i+4 and i+8, i+12 */
    w[2 * i] = half_sums(v[i], v[i + 4]);
    w[2 * i + 1] = half_sums(v[i + 8], v[i + 12]);
  }
  __m512 x[4]; /* x[i]'s quarter j: key 4j + i, lanes i + i+4 summed */
  for (int i = 0; i < 4; i++)
    x[i] = _mm512_add_ps(_mm512_shuffle_f32x4(w[2 * i], w[2 * i + 1], _MM_SHUFFLE(2, 0, 2, 0)), _mm512_shuffle_f32x4(w[2 * i], w[2 * i + 1], _MM_SHUFFLE(3, 1, 3, 1)));
  __m512 y0 = _mm512_add_ps(_mm512_shuffle_ps(x[0], x[1], _MM_SHUFFLE(1, 0, 1, 0)), _mm512_shuffle_ps(x[0], x[1], _MM_SHUFFLE(3, 2, 3, 2)));
  __m512 y1 = _mm512_add_ps(_mm512_shuffle_ps(x[2], x[3], _MM_SHUFFLE(1, 0, 1, 0)), _mm512_shuffle_ps(x[2], x[3], _MM_SHUFFLE(3, 2, 3, 2)));
  return _mm512_add_ps(_mm512_shuffle_ps(y0, y1, _MM_SHUFFLE(2, 0, 2, 0)), _mm512_shuffle_ps(y0, y1, _MM_SHUFFLE(3, 1, 3, 1)));
}

/* out slices v0 .. v0 + SP of the G heads = sum over c of P[t * m1 + c] V_c, the keys in order; SP compile-time, so
 * that the G * SP accumulators stay in registers */
static inline __attribute__((always_inline)) void decode_pv(const void *V, size_t ld, size_t hs, size_t m, size_t m1, const float *s,
                                                              float *out, size_t v0, const size_t G, const size_t SP, int fetch, const int bf16) {
  const size_t es = bf16 ? 2 : 4;
  __m512 acc[G][SP];
  for (size_t t = 0; t < G; t++) for (size_t u = 0; u < SP; u++) acc[t][u] = _mm512_setzero_ps();
  for (size_t c = 0; c < m; c++) {
    if (fetch) prefetch_row(V, c, ld, hs, es);
    for (size_t u = 0; u < SP; u++) {
      __m512 vv = load16(V, c * ld + 16 * (v0 + u), bf16);
      for (size_t t = 0; t < G; t++) acc[t][u] = _mm512_fmadd_ps(_mm512_set1_ps(s[t * m1 + c]), vv, acc[t][u]);
    }
  }
  for (size_t t = 0; t < G; t++) for (size_t u = 0; u < SP; u++) _mm512_storeu_ps(out + t * hs + 16 * (v0 + u), acc[t][u]);
}

/* decode_head's products for G (compile-time, so the accumulators stay in registers) heads and hs % 16 == 0:
 * s[t * m1 + c] = scale * q_t . K_c, the softmax rows, then o_t = sum over c of P[t * m1 + c] V_c, the keys in order */
static inline __attribute__((always_inline)) void decode_vec(const void *K, const void *V, size_t ld, const float *qr, size_t hs,
                                                               size_t m, size_t m1, float scale, float *s, float *out, float *lse,
                                                               const size_t G, const int bf16) {
  const size_t es = bf16 ? 2 : 4, slices = hs / 16, SP = G <= 6 ? 4 : 2; /* SP slices of every head's output a pass */
  size_t c = 0;
  for (; c + 16 <= m; c += 16) { /* 16 keys a head at a time: one transposed reduction instead of 16 */
    for (size_t x = 0; x < 16; x++) prefetch_row(K, c + x, ld, hs, es);
    for (size_t t = 0; t < G; t++) {
      __m512 acc[16];
      for (size_t x = 0; x < 16; x++) acc[x] = _mm512_setzero_ps();
      for (size_t v = 0; v < slices; v++) {
        __m512 qv = _mm512_loadu_ps(qr + t * hs + 16 * v);
        for (size_t x = 0; x < 16; x++) acc[x] = _mm512_fmadd_ps(qv, load16(K, (c + x) * ld + 16 * v, bf16), acc[x]);
      }
      _mm512_storeu_ps(s + t * m1 + c, _mm512_mul_ps(sum16(acc), _mm512_set1_ps(scale)));
    }
  }
  for (; c < m; c++) { /* the G dot products share each chunk of the key */
    prefetch_row(K, c, ld, hs, es);
    __m512 acc[G];
    for (size_t t = 0; t < G; t++) acc[t] = _mm512_setzero_ps();
    for (size_t v = 0; v < slices; v++) {
      __m512 kv = load16(K, c * ld + 16 * v, bf16);
      for (size_t t = 0; t < G; t++) acc[t] = _mm512_fmadd_ps(_mm512_loadu_ps(qr + t * hs + 16 * v), kv, acc[t]);
    }
    for (size_t t = 0; t < G; t++) s[t * m1 + c] = _mm512_reduce_add_ps(acc[t]) * scale;
  }
  for (size_t t = 0; t < G; t++) lse[t] = softmax_row(s + t * m1, m, bf16); /* P (rounded to BF16 on a BF16 cache) */
  size_t v0 = 0;
  for (; v0 + SP <= slices; v0 += SP) decode_pv(V, ld, hs, m, m1, s, out, v0, G, SP, v0 == 0, bf16);
  for (; v0 < slices; v0++) decode_pv(V, ld, hs, m, m1, s, out, v0, G, 1, v0 == 0, bf16);
}
#endif

/* decode_head's products without the vector path: any g and hs */
static void decode_plain(const void *K, const void *V, size_t ld, const float *qr, size_t g, size_t hs, size_t m, size_t m1,
                         float scale, float *s, float *out, float *lse, int bf16) {
  for (size_t c = 0; c < m; c++) {
    for (size_t t = 0; t < g; t++) {
      const float *q = qr + t * hs;
      float acc = 0.0f;
      for (size_t d = 0; d < hs; d++) acc += q[d] * load1(K, c * ld + d, bf16);
      s[t * m1 + c] = acc * scale;
    }
  }
  for (size_t t = 0; t < g; t++) lse[t] = softmax_row(s + t * m1, m, bf16);
  memset(out, 0, g * hs * sizeof(float));
  for (size_t c = 0; c < m; c++) {
    for (size_t t = 0; t < g; t++) {
      float p = s[t * m1 + c], *o = out + t * hs;
      for (size_t d = 0; d < hs; d++) o[d] += p * load1(V, c * ld + d, bf16);
    }
  }
}

static inline __attribute__((always_inline)) void decode_head(dec_job *j, size_t b, size_t kh, const int bf16) {
  size_t g = j->nh / j->nkv, hs = j->hs, ld = j->nkv * hs, h0 = kh * g, es = bf16 ? 2 : 4;
  long len = j->kvLen[b];
  size_t m = len <= 0 ? 0 : (size_t)len > j->S ? j->S : (size_t)len, m1 = m ? m : 1;
  const char *K = (const char *)j->k + (b * j->S * j->nkv + kh) * hs * es, *V = (const char *)j->v + (b * j->S * j->nkv + kh) * hs * es;
  float *s = malloc((g * m1 + g * hs) * sizeof(float));
  if (!s) { atomic_store(&j->failed, 1); return; }
  float *qr = s + g * m1, *out = j->o + (b * j->nh + h0) * hs, *lse = j->lse + b * j->nh + h0;
  for (size_t t = 0; t < g; t++)
    for (size_t d = 0; d < hs; d++) {
      float x = j->q[(b * j->nh + h0 + t) * hs + d];
      qr[t * hs + d] = bf16 ? rbf(x) : x;
    }
#if defined(__AVX512F__)
  if (hs % 16 == 0) {
    switch (g) {
#define G_CASE(G) case G: decode_vec(K, V, ld, qr, hs, m, m1, j->scale, s, out, lse, G, bf16); free(s); return;
      G_CASE(1) G_CASE(2) G_CASE(3) G_CASE(4) G_CASE(5) G_CASE(6) G_CASE(7) G_CASE(8)
#undef G_CASE
      default: break;
    }
  }
#endif
  decode_plain(K, V, ld, qr, g, hs, m, m1, j->scale, s, out, lse, bf16);
  free(s);
}

static void decode_task(void *ctx, size_t i) {
  dec_job *j = ctx;
  if (j->bf16) decode_head(j, i / j->nkv, i % j->nkv, 1);
  else decode_head(j, i / j->nkv, i % j->nkv, 0);
}

int k_attention_decode(const float *q, const void *k, const void *v, float *out, float *lse, size_t B, size_t S,
                       size_t nh, size_t nkv, size_t hs, float scale, const int32_t *kvLen, int bf16) {
  if (B == 0 || nkv == 0) return 0;
  dec_job j = { .q = q, .k = k, .v = v, .o = out, .lse = lse, .B = B, .S = S, .nh = nh, .nkv = nkv, .hs = hs, .scale = scale,
                .kvLen = kvLen, .bf16 = bf16 };
  double work = 0.0;
  for (size_t b = 0; b < B; b++) work += 4.0 * (double)nh * (double)(kvLen[b] > 0 ? (size_t)kvLen[b] : 0) * (double)hs;
  if (work < ATTN_PARALLEL_FLOPS) {
    for (size_t i = 0; i < B * nkv; i++) decode_task(&j, i);
  } else {
    pool_run(decode_task, &j, B * nkv);
  }
  return atomic_load(&j.failed) ? -1 : 0;
}

static void fwd_task(void *ctx, size_t i) {
  attn_job *j = ctx;
  size_t kh = i % j->nkv, b = i / j->nkv, group = j->nh / j->nkv;
  size_t hs = j->hs, hp = j->hp, ldq = j->nh * hs, ldk = j->nkv * hs, rb = j->T < ROW_BLOCK ? rup(j->T, 4) : ROW_BLOCK;
  const float *K = j->k + (b * j->S * j->nkv + kh) * hs, *V = j->v + (b * j->S * j->nkv + kh) * hs;
  size_t nf = visible(j, b, j->T - 1), np = rup(nf > 0 ? nf : 1, 16);
  if (j->T <= 2) { fwd_direct_task(j, b, kh, 0); return; }
  float *buf = malloc((2 * hp * np + 2 * rb * hp + rb * np) * sizeof(float));
  if (!buf) { atomic_store(&j->failed, 1); return; }
  float *Kt = buf, *Vs = Kt + hp * np, *Qs = Vs + np * hp, *Os = Qs + rb * hp, *P = Os + rb * hp;
  gather_cols(Kt, K, ldk, nf, np, hs, hp);
  gather_rows(Vs, V, ldk, nf, np, hs, hp);
  block_info bi;
  for (size_t h = kh * group; h < (kh + 1) * group; h++) {
    for (size_t t0 = 0; t0 < j->T; t0 += ROW_BLOCK) {
      size_t tb = j->T - t0 < ROW_BLOCK ? j->T - t0 : ROW_BLOCK, tbp = rup(tb, 4);
      const float *Q = j->q + ((b * j->T + t0) * j->nh + h) * hs;
      float *O = j->o + ((b * j->T + t0) * j->nh + h) * hs, *lse = j->lse + (b * j->nh + h) * j->T + t0;
      size_t n = block_setup(j, b, t0, tb, tbp, &bi);
      if (n == 0) {
        for (size_t r = 0; r < tb; r++) { memset(O + r * ldq, 0, hs * sizeof(float)); lse[r] = -INFINITY; }
        continue;
      }
      gather_rows(Qs, Q, ldq, tb, tbp, hs, hp);
      tile_scores(Qs, Kt, P, tbp, hp, np, bi.jlim, j->scale);
      masked_probs(&bi, tb, tbp, np, P, NULL, lse);
      tile_wx(P, Vs, Os, tbp, hp, np, bi.jmax);
      scatter_rows(O, Os, ldq, tb, hs, hp);
    }
  }
  free(buf);
}

/* BF16 forward: K^T and V packed once per (batch, kv head) straight from the strided tensors; per block, Q and
 * P packed as they come. Scores run over the block's n visible keys only (a prefix of the packed K^T).
 * Decode-sized blocks take fwd_direct's rounding path. */
static void fwd_task_bf16(void *ctx, size_t i) {
  attn_job *j = ctx;
  size_t kh = i % j->nkv, b = i / j->nkv, group = j->nh / j->nkv;
  size_t hs = j->hs, ldq = j->nh * hs, ldk = j->nkv * hs, rb = j->T < ROW_BLOCK ? rup(j->T, 4) : ROW_BLOCK;
  const float *K = j->k + (b * j->S * j->nkv + kh) * hs, *V = j->v + (b * j->S * j->nkv + kh) * hs;
  if (j->T <= 2) { fwd_direct_task(j, b, kh, 1); return; }
  size_t nf = visible(j, b, j->T - 1), np = rup(nf > 0 ? nf : 1, 16);
  size_t lk = k_bf16_packed_len(hs, nf), lv = k_bf16_packed_len(nf, hs);
  size_t la = k_bf16_packed_len(hs, rb) > k_bf16_packed_len(nf, rb) ? k_bf16_packed_len(hs, rb) : k_bf16_packed_len(nf, rb);
  uint16_t *Kp = malloc((lk + lv + la) * sizeof(uint16_t) + 2);
  float *P = malloc(rb * np * sizeof(float));
  if (!Kp || !P) { free(Kp); free(P); atomic_store(&j->failed, 1); return; }
  uint16_t *Vp = Kp + lk, *Ap = Vp + lv;
  k_bf16_pack_b_serial(K, Kp, hs, nf, ldk, 1); /* B = K^T (hs, nf) */
  k_bf16_pack_b_serial(V, Vp, nf, hs, ldk, 0); /* B = V (nf, hs) */
  block_info bi;
  for (size_t h = kh * group; h < (kh + 1) * group; h++) {
    for (size_t t0 = 0; t0 < j->T; t0 += ROW_BLOCK) {
      size_t tb = j->T - t0 < ROW_BLOCK ? j->T - t0 : ROW_BLOCK, tbp = rup(tb, 4);
      const float *Q = j->q + ((b * j->T + t0) * j->nh + h) * hs;
      float *O = j->o + ((b * j->T + t0) * j->nh + h) * hs, *lse = j->lse + (b * j->nh + h) * j->T + t0;
      size_t n = block_setup(j, b, t0, tb, tbp, &bi);
      if (n == 0) {
        for (size_t r = 0; r < tb; r++) { memset(O + r * ldq, 0, hs * sizeof(float)); lse[r] = -INFINITY; }
        continue;
      }
      k_bf16_pack_a_serial(Q, Ap, tb, hs, ldq, 0);
      k_bf16_mm_serial(Ap, Kp, hs, P, tb, n, hs, np, j->scale, 0.0f); /* S = scale * Q K^T */
      masked_probs(&bi, tb, tbp, np, P, NULL, lse);
      k_bf16_pack_a_serial(P, Ap, tb, n, np, 0);
      k_bf16_mm_serial(Ap, Vp, nf, O, tb, hs, n, ldq, 1.0f, 0.0f);     /* O = P V */
    }
  }
  free(Kp);
  free(P);
}

static double attn_flops(size_t B, size_t T, size_t S, size_t nh, size_t hs) {
  return 4.0 * (double)B * (double)nh * (double)T * (double)S * (double)hs;
}

int k_attention_fwd(const float *q, const float *k, const float *v, float *out, float *lse,
                    size_t B, size_t T, size_t S, size_t nh, size_t nkv, size_t hs, float scale, int causal,
                    const int32_t *kvLen, int bf16) {
  if (B == 0 || T == 0 || nkv == 0) return 0;
  if (bf16) k_bf16_mode(); /* probe (and AMX permission) before any task packs */
  attn_job j = { .q = q, .k = k, .v = v, .o = out, .lse = lse, .B = B, .T = T, .S = S, .nh = nh, .nkv = nkv,
                 .hs = hs, .hp = rup(hs, 8), .scale = scale, .causal = causal, .kvLen = kvLen };
  size_t tasks = B * nkv;
  pool_task_fn fn = bf16 ? fwd_task_bf16 : fwd_task;
  if (attn_flops(B, T, S, nh, hs) < ATTN_PARALLEL_FLOPS) {
    for (size_t i = 0; i < tasks; i++) fn(&j, i);
  } else {
    pool_run(fn, &j, tasks);
  }
  return atomic_load(&j.failed) ? -1 : 0;
}

static void bwd_task(void *ctx, size_t i) {
  attn_job *j = ctx;
  size_t kh = i % j->nkv, b = i / j->nkv, group = j->nh / j->nkv;
  size_t hs = j->hs, hp = j->hp, ldq = j->nh * hs, ldk = j->nkv * hs, rb = j->T < ROW_BLOCK ? rup(j->T, 4) : ROW_BLOCK;
  const float *K = j->k + (b * j->S * j->nkv + kh) * hs, *V = j->v + (b * j->S * j->nkv + kh) * hs;
  float *dK = j->dk + (b * j->S * j->nkv + kh) * hs, *dV = j->dv + (b * j->S * j->nkv + kh) * hs;
  for (size_t s = 0; s < j->S; s++) {
    memset(dK + s * ldk, 0, hs * sizeof(float));
    memset(dV + s * ldk, 0, hs * sizeof(float));
  }
  size_t nf = j->T ? visible(j, b, j->T - 1) : 0; /* keys any row sees (monotone in t) */
  if (nf == 0) {
    for (size_t h = kh * group; h < (kh + 1) * group; h++)
      for (size_t t = 0; t < j->T; t++) memset(j->dq + ((b * j->T + t) * j->nh + h) * hs, 0, hs * sizeof(float));
    return;
  }
  size_t np = rup(nf, 16);
  float *buf = malloc((5 * np * hp + 2 * rb * np + 3 * rb * hp) * sizeof(float));
  if (!buf) { atomic_store(&j->failed, 1); return; }
  float *Kt = buf, *Vt = Kt + hp * np, *Ks = Vt + hp * np, *dKa = Ks + np * hp, *dVa = dKa + np * hp;
  float *P = dVa + np * hp, *dP = P + rb * np, *Qs = dP + rb * np, *dOs = Qs + rb * hp, *dQs = dOs + rb * hp;
  gather_cols(Kt, K, ldk, nf, np, hs, hp);
  gather_cols(Vt, V, ldk, nf, np, hs, hp);
  gather_rows(Ks, K, ldk, nf, np, hs, hp);
  memset(dKa, 0, 2 * np * hp * sizeof(float));
  block_info bi;
  float D[ROW_BLOCK];
  for (size_t h = kh * group; h < (kh + 1) * group; h++) {
    for (size_t t0 = 0; t0 < j->T; t0 += ROW_BLOCK) {
      size_t tb = j->T - t0 < ROW_BLOCK ? j->T - t0 : ROW_BLOCK, tbp = rup(tb, 4);
      size_t off = ((b * j->T + t0) * j->nh + h) * hs;
      const float *lse = j->lse_in + (b * j->nh + h) * j->T + t0;
      size_t n = block_setup(j, b, t0, tb, tbp, &bi);
      if (n == 0) {
        for (size_t r = 0; r < tb; r++) memset(j->dq + off + r * ldq, 0, hs * sizeof(float));
        continue;
      }
      gather_rows(Qs, j->q + off, ldq, tb, tbp, hs, hp);
      gather_rows(dOs, j->dout + off, ldq, tb, tbp, hs, hp);
      for (size_t r = 0; r < tb; r++) {
        const float *dor = j->dout + off + r * ldq, *orow = j->out + off + r * ldq;
        float s = 0.0f;
        for (size_t d = 0; d < hs; d++) s += dor[d] * orow[d];
        D[r] = s;
      }
      tile_scores(Qs, Kt, P, tbp, hp, np, bi.jlim, j->scale);
      masked_probs(&bi, tb, tbp, np, P, lse, NULL);
      tile_scores(dOs, Vt, dP, tbp, hp, np, bi.jlim, 1.0f);
      for (size_t r = 0; r < tbp; r++) {
        float *pr = P + r * np, *ds = dP + r * np, Dr = r < tb ? D[r] : 0.0f;
        for (size_t c = 0; c < np; c++) ds[c] = pr[c] * (ds[c] - Dr) * j->scale; /* dS, scaled */
      }
      tile_wx(dP, Ks, dQs, tbp, hp, np, bi.jmax);           /* dQ = dS K */
      scatter_rows(j->dq + off, dQs, ldq, tb, hs, hp);
      tile_wtx(dP, Qs, dKa, tbp, hp, np, n, bi.m);         /* dK += dS^T Q */
      tile_wtx(P, dOs, dVa, tbp, hp, np, n, bi.m);         /* dV += P^T dO */
    }
  }
  scatter_rows(dK, dKa, ldk, nf, hs, hp);
  scatter_rows(dV, dVa, ldk, nf, hs, hp);
  free(buf);
}

/* BF16 backward: K^T, V^T and K packed once per (batch, kv head); per block Q, dO, dS and the transposes
 * P^T, dS^T packed as they come. dQ is written, dK and dV accumulate (beta 1, FP32) straight in the outputs. */
static void bwd_task_bf16(void *ctx, size_t i) {
  attn_job *j = ctx;
  size_t kh = i % j->nkv, b = i / j->nkv, group = j->nh / j->nkv;
  size_t hs = j->hs, ldq = j->nh * hs, ldk = j->nkv * hs, rb = j->T < ROW_BLOCK ? rup(j->T, 4) : ROW_BLOCK;
  const float *K = j->k + (b * j->S * j->nkv + kh) * hs, *V = j->v + (b * j->S * j->nkv + kh) * hs;
  float *dK = j->dk + (b * j->S * j->nkv + kh) * hs, *dV = j->dv + (b * j->S * j->nkv + kh) * hs;
  for (size_t s = 0; s < j->S; s++) {
    memset(dK + s * ldk, 0, hs * sizeof(float));
    memset(dV + s * ldk, 0, hs * sizeof(float));
  }
  size_t nf = j->T ? visible(j, b, j->T - 1) : 0;
  if (nf == 0) {
    for (size_t h = kh * group; h < (kh + 1) * group; h++)
      for (size_t t = 0; t < j->T; t++) memset(j->dq + ((b * j->T + t) * j->nh + h) * hs, 0, hs * sizeof(float));
    return;
  }
  size_t np = rup(nf, 16), lkt = k_bf16_packed_len(hs, nf), lk = k_bf16_packed_len(nf, hs), lb = k_bf16_packed_len(rb, hs);
  size_t la = k_bf16_packed_len(hs, rb);
  if (k_bf16_packed_len(nf, rb) > la) la = k_bf16_packed_len(nf, rb);
  if (k_bf16_packed_len(rb, nf) > la) la = k_bf16_packed_len(rb, nf);
  uint16_t *Ktp = malloc((2 * lkt + lk + la + lb) * sizeof(uint16_t) + 2);
  float *P = malloc(2 * rb * np * sizeof(float));
  if (!Ktp || !P) { free(Ktp); free(P); atomic_store(&j->failed, 1); return; }
  uint16_t *Vtp = Ktp + lkt, *Kp = Vtp + lkt, *Ap = Kp + lk, *Bp = Ap + la;
  float *dP = P + rb * np;
  k_bf16_pack_b_serial(K, Ktp, hs, nf, ldk, 1); /* B = K^T (hs, nf) */
  k_bf16_pack_b_serial(V, Vtp, hs, nf, ldk, 1); /* B = V^T (hs, nf) */
  k_bf16_pack_b_serial(K, Kp, nf, hs, ldk, 0);  /* B = K (nf, hs) */
  block_info bi;
  float D[ROW_BLOCK];
  for (size_t h = kh * group; h < (kh + 1) * group; h++) {
    for (size_t t0 = 0; t0 < j->T; t0 += ROW_BLOCK) {
      size_t tb = j->T - t0 < ROW_BLOCK ? j->T - t0 : ROW_BLOCK, tbp = rup(tb, 4);
      size_t off = ((b * j->T + t0) * j->nh + h) * hs;
      const float *Q = j->q + off, *dO = j->dout + off, *lse = j->lse_in + (b * j->nh + h) * j->T + t0;
      size_t n = block_setup(j, b, t0, tb, tbp, &bi);
      if (n == 0) {
        for (size_t r = 0; r < tb; r++) memset(j->dq + off + r * ldq, 0, hs * sizeof(float));
        continue;
      }
      for (size_t r = 0; r < tb; r++) {
        const float *dor = dO + r * ldq, *orow = j->out + off + r * ldq;
        float s = 0.0f;
        for (size_t d = 0; d < hs; d++) s += dor[d] * orow[d];
        D[r] = s;
      }
      k_bf16_pack_a_serial(Q, Ap, tb, hs, ldq, 0);
      k_bf16_mm_serial(Ap, Ktp, hs, P, tb, n, hs, np, j->scale, 0.0f); /* S = scale * Q K^T */
      masked_probs(&bi, tb, tbp, np, P, lse, NULL);
      k_bf16_pack_a_serial(dO, Ap, tb, hs, ldq, 0);
      k_bf16_mm_serial(Ap, Vtp, hs, dP, tb, n, hs, np, 1.0f, 0.0f);    /* dP = dO V^T */
      for (size_t r = 0; r < tb; r++) {
        float *pr = P + r * np, *ds = dP + r * np;
        for (size_t c = 0; c < n; c++) ds[c] = pr[c] * (ds[c] - D[r]) * j->scale; /* dS, scaled */
      }
      k_bf16_pack_a_serial(dP, Ap, tb, n, np, 0);
      k_bf16_mm_serial(Ap, Kp, nf, j->dq + off, tb, hs, n, ldq, 1.0f, 0.0f); /* dQ = dS K */
      k_bf16_pack_a_serial(dP, Ap, n, tb, np, 1);
      k_bf16_pack_b_serial(Q, Bp, tb, hs, ldq, 0);
      k_bf16_mm_serial(Ap, Bp, tb, dK, n, hs, tb, ldk, 1.0f, 1.0f);          /* dK += dS^T Q */
      k_bf16_pack_a_serial(P, Ap, n, tb, np, 1);
      k_bf16_pack_b_serial(dO, Bp, tb, hs, ldq, 0);
      k_bf16_mm_serial(Ap, Bp, tb, dV, n, hs, tb, ldk, 1.0f, 1.0f);          /* dV += P^T dO */
    }
  }
  free(Ktp);
  free(P);
}

int k_attention_bwd(const float *dout, const float *q, const float *k, const float *v, const float *out,
                    const float *lse, float *dq, float *dk, float *dv,
                    size_t B, size_t T, size_t S, size_t nh, size_t nkv, size_t hs, float scale, int causal,
                    const int32_t *kvLen, int bf16) {
  attn_job j = { .dout = dout, .q = q, .k = k, .v = v, .out = out, .lse_in = lse, .dq = dq, .dk = dk, .dv = dv,
                 .B = B, .T = T, .S = S, .nh = nh, .nkv = nkv, .hs = hs, .hp = rup(hs, 8), .scale = scale,
                 .causal = causal, .kvLen = kvLen };
  if (B == 0 || nkv == 0) return 0;
  if (bf16) k_bf16_mode();
  size_t tasks = B * nkv;
  pool_task_fn fn = bf16 ? bwd_task_bf16 : bwd_task;
  if (attn_flops(B, T, S, nh, hs) * 2.0 < ATTN_PARALLEL_FLOPS) {
    for (size_t i = 0; i < tasks; i++) fn(&j, i);
  } else {
    pool_run(fn, &j, tasks);
  }
  return atomic_load(&j.failed) ? -1 : 0;
}
