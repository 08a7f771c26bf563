/* Row kernels: RMSNorm, RoPE, softmax, log-softmax and the fused log-softmax + gather, each parallel over
 * rows once a call is large enough. Row reductions use float accumulators in vectorised loops, except
 * RMSNorm's sum of squares (double, as it feeds a reciprocal square root). */
#include "kern.h"
#include "pool.h"
#include "vmath.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#define GRAIN 32768

static size_t row_grain(size_t cols) { return cols >= GRAIN ? 1 : GRAIN / (cols ? cols : 1); }

static float row_max(const float *x, size_t n) { return r1_maxf(x, n); }

/* log(sum(exp(x))), stable; -inf for an all -inf row */
static float row_lse(const float *x, size_t n) {
  float m = row_max(x, n);
  if (m == -INFINITY) return -INFINITY;
  float s = 0.0f;
  for (size_t j = 0; j < n; j++) s += r1_expf(x[j] - m);
  return m + logf(s);
}

typedef struct {
  const float *x, *w, *dout, *rstd_in;
  float *out, *rstd, *dx, *dwpart;
  size_t rows, C, parts;
  float eps;
} norm_job;

static void rmsnorm_fwd_range(void *ctx, size_t s, size_t e) {
  const norm_job *j = ctx;
  size_t C = j->C;
  for (size_t r = s; r < e; r++) {
    const float *x = j->x + r * C;
    float *out = j->out + r * C;
    float ss = 0.0f;
    for (size_t c = 0; c < C; c++) ss += x[c] * x[c];
    float rs = (float)(1.0 / sqrt((double)ss / (double)C + (double)j->eps));
    j->rstd[r] = rs;
    for (size_t c = 0; c < C; c++) out[c] = x[c] * rs * j->w[c];
  }
}

void k_rmsnorm_fwd(const float *x, const float *w, float *out, float *rstd, size_t rows, size_t C, float eps) {
  norm_job j = { x, w, NULL, NULL, out, rstd, NULL, NULL, rows, C, 0, eps };
  pool_for(rows, row_grain(C), rmsnorm_fwd_range, &j);
}

/* rows [s, e): dx written, dw += */
static void rmsnorm_bwd_rows(const norm_job *j, size_t s, size_t e, float *dw) {
  size_t C = j->C;
  for (size_t r = s; r < e; r++) {
    const float *d = j->dout + r * C, *x = j->x + r * C;
    float *dx = j->dx + r * C, rs = j->rstd_in[r], dot = 0.0f;
    for (size_t c = 0; c < C; c++) dot += d[c] * j->w[c] * x[c];
    float k = dot / (float)C * rs * rs * rs;
    for (size_t c = 0; c < C; c++) {
      dx[c] = d[c] * j->w[c] * rs - x[c] * k;
      dw[c] += d[c] * x[c] * rs;
    }
  }
}

static void rmsnorm_bwd_task(void *ctx, size_t part) {
  const norm_job *j = ctx;
  float *dw = j->dwpart + part * j->C;
  memset(dw, 0, j->C * sizeof(float));
  rmsnorm_bwd_rows(j, j->rows * part / j->parts, j->rows * (part + 1) / j->parts, dw);
}

void k_rmsnorm_bwd(const float *dout, const float *x, const float *w, const float *rstd, float *dx, float *dw,
                   size_t rows, size_t C) {
  norm_job j = { x, w, dout, rstd, NULL, NULL, dx, NULL, rows, C, (size_t)pool_threads(), 0 };
  if (j.parts > rows) j.parts = rows;
  /* per-part dw partials, summed afterwards (serial when small or when memory is short) */
  if (rows * C >= 2 * GRAIN && j.parts > 1) j.dwpart = malloc(j.parts * C * sizeof(float));
  if (!j.dwpart) {
    rmsnorm_bwd_rows(&j, 0, rows, dw);
    return;
  }
  pool_run(rmsnorm_bwd_task, &j, j.parts);
  for (size_t p = 0; p < j.parts; p++)
    for (size_t c = 0; c < C; c++) dw[c] += j.dwpart[p * C + c];
  free(j.dwpart);
}

typedef struct { const float *x, *cos, *sin; float *out; const int32_t *pos; size_t nh, hs; float sgn; } rope_job;

static void rope_range(void *ctx, size_t s, size_t e) {
  const rope_job *j = ctx;
  size_t hs = j->hs, half = hs / 2;
  for (size_t bt = s; bt < e; bt++) {
    const float *cs = j->cos + (size_t)j->pos[bt] * half, *sn = j->sin + (size_t)j->pos[bt] * half;
    for (size_t h = 0; h < j->nh; h++) {
      const float *x = j->x + (bt * j->nh + h) * hs;
      float *o = j->out + (bt * j->nh + h) * hs;
      for (size_t k = 0; k < half; k++) {
        float c = cs[k], sv = j->sgn * sn[k], x1 = x[k], x2 = x[k + half];
        o[k] = x1 * c - x2 * sv;
        o[k + half] = x2 * c + x1 * sv;
      }
    }
  }
}

void k_rope(const float *x, float *out, const float *cos, const float *sin, const int32_t *pos,
            size_t B, size_t T, size_t nh, size_t hs, int inverse) {
  rope_job j = { x, cos, sin, out, pos, nh, hs, inverse ? -1.0f : 1.0f };
  pool_for(B * T, row_grain(nh * hs), rope_range, &j);
}

typedef struct { const float *x, *dout, *y; float *out; size_t cols; } soft_job;

static void softmax_fwd_range(void *ctx, size_t s, size_t e) {
  const soft_job *j = ctx;
  size_t n = j->cols;
  for (size_t r = s; r < e; r++) {
    const float *x = j->x + r * n;
    float *o = j->out + r * n, m = row_max(x, n), sum = 0.0f;
    for (size_t c = 0; c < n; c++) { float v = r1_expf(x[c] - m); o[c] = v; sum += v; }
    float inv = 1.0f / sum;
    for (size_t c = 0; c < n; c++) o[c] *= inv;
  }
}

void k_softmax_fwd(const float *x, float *out, size_t rows, size_t cols) {
  soft_job j = { x, NULL, NULL, out, cols };
  pool_for(rows, row_grain(cols), softmax_fwd_range, &j);
}

static void softmax_bwd_range(void *ctx, size_t s, size_t e) {
  const soft_job *j = ctx;
  size_t n = j->cols;
  for (size_t r = s; r < e; r++) {
    const float *d = j->dout + r * n, *y = j->y + r * n;
    float *dx = j->out + r * n, dot = 0.0f;
    for (size_t c = 0; c < n; c++) dot += d[c] * y[c];
    for (size_t c = 0; c < n; c++) dx[c] = y[c] * (d[c] - dot);
  }
}

void k_softmax_bwd(const float *dout, const float *y, float *dx, size_t rows, size_t cols) {
  soft_job j = { NULL, dout, y, dx, cols };
  pool_for(rows, row_grain(cols), softmax_bwd_range, &j);
}

static void log_softmax_fwd_range(void *ctx, size_t s, size_t e) {
  const soft_job *j = ctx;
  size_t n = j->cols;
  for (size_t r = s; r < e; r++) {
    const float *x = j->x + r * n;
    float *o = j->out + r * n, l = row_lse(x, n);
    for (size_t c = 0; c < n; c++) o[c] = x[c] - l;
  }
}

void k_log_softmax_fwd(const float *x, float *out, size_t rows, size_t cols) {
  soft_job j = { x, NULL, NULL, out, cols };
  pool_for(rows, row_grain(cols), log_softmax_fwd_range, &j);
}

static void log_softmax_bwd_range(void *ctx, size_t s, size_t e) {
  const soft_job *j = ctx;
  size_t n = j->cols;
  for (size_t r = s; r < e; r++) {
    const float *d = j->dout + r * n, *y = j->y + r * n;
    float *dx = j->out + r * n, sum = 0.0f;
    for (size_t c = 0; c < n; c++) sum += d[c];
    for (size_t c = 0; c < n; c++) dx[c] = d[c] - r1_expf(y[c]) * sum;
  }
}

void k_log_softmax_bwd(const float *dout, const float *y, float *dx, size_t rows, size_t cols) {
  soft_job j = { NULL, dout, y, dx, cols };
  pool_for(rows, row_grain(cols), log_softmax_bwd_range, &j);
}

typedef struct { const float *logits, *dout, *lse_in; const int32_t *t; float *out, *lse, *dlogits, *ent; size_t V; } lp_job;

/* the entropy of softmax(x) in one pass: with m the max, s = sum e^(x-m) and w = sum e^(x-m) (x-m),
 * H = lse - sum p x = log s - w / s (0 for an all -inf row). Its own pass, so that lse is row_lse's to the bit. */
static float row_entropy(const float *x, size_t n) {
  float m = row_max(x, n);
  if (m == -INFINITY) return 0.0f;
  float s = 0.0f, w = 0.0f;
  for (size_t j = 0; j < n; j++) {
    float d = x[j] - m, e = r1_expf(d);
    s += e;
    w += e == 0.0f ? 0.0f : e * d; /* a -inf logit adds nothing (not 0 * -inf) */
  }
  return logf(s) - w / s;
}

static void logprob_fwd_range(void *ctx, size_t s, size_t e) {
  const lp_job *j = ctx;
  for (size_t r = s; r < e; r++) {
    const float *x = j->logits + r * j->V;
    float l = row_lse(x, j->V);
    if (j->ent) j->ent[r] = row_entropy(x, j->V);
    int32_t t = j->t[r];
    j->lse[r] = l;
    j->out[r] = t < 0 ? 0.0f : x[t] - l;
  }
}

void k_logprob_fwd(const float *logits, const int32_t *targets, float *out, float *lse, float *entropy, size_t rows, size_t V) {
  lp_job j = { logits, NULL, NULL, targets, out, lse, NULL, entropy, V };
  pool_for(rows, row_grain(V), logprob_fwd_range, &j);
}

static void logprob_bwd_range(void *ctx, size_t s, size_t e) {
  const lp_job *j = ctx;
  size_t V = j->V;
  for (size_t r = s; r < e; r++) {
    const float *x = j->logits + r * V;
    float *dl = j->dlogits + r * V;
    int32_t t = j->t[r];
    if (t < 0) { memset(dl, 0, V * sizeof(float)); continue; }
    float d = j->dout[r], l = j->lse_in[r];
    for (size_t c = 0; c < V; c++) dl[c] = -d * r1_expf(x[c] - l);
    dl[t] += d;
  }
}

void k_logprob_bwd(const float *dout, const float *logits, const int32_t *targets, const float *lse, float *dlogits,
                   size_t rows, size_t V) {
  lp_job j = { logits, dout, lse, targets, NULL, NULL, dlogits, NULL, V };
  pool_for(rows, row_grain(V), logprob_bwd_range, &j);
}

/* The sampler's unnormalised probabilities: out[i] = exp((x[i] - m) * inv_t), the float exp widened to double (0
 * below exp(-87.3)); returns their sum, added in eight interleaved partial sums. One thread: a row of logits. */
double k_exp_shift(const float *x, double *out, size_t n, float m, float inv_t) {
  double acc[8] = { 0 };
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (size_t k = 0; k < 8; k++) {
      double e = (double)r1_expf((x[i + k] - m) * inv_t);
      out[i + k] = e;
      acc[k] += e;
    }
  for (; i < n; i++) {
    double e = (double)r1_expf((x[i] - m) * inv_t);
    out[i] = e;
    acc[0] += e;
  }
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

typedef struct {
  const float *x;
  size_t n;
  float inv_t;
  int buckets;
  int32_t *arg;
  float *m;
  double *sum, *probs, *mass;
  uint16_t *bucket;
} prep_job;

static void prep_task(void *ctx, size_t r) {
  const prep_job *j = ctx;
  const float *x = j->x + r * j->n;
  size_t a = k_argmax(x, j->n);
  float m = x[a] > -INFINITY ? x[a] : -INFINITY;
  j->arg[r] = (int32_t)a;
  j->m[r] = m;
  j->sum[r] = j->buckets ? k_sample_buckets(x, j->probs + r * j->n, j->bucket + r * j->n, j->mass + r * SAMPLE_BUCKETS, j->n, m, j->inv_t)
                         : k_exp_shift(x, j->probs + r * j->n, j->n, m, j->inv_t);
}

void k_sample_rows_prep(const float *x, size_t R, size_t n, float inv_t, int buckets, int32_t *arg, float *m, double *sum,
                        double *probs, uint16_t *bucket, double *mass) {
  if (R == 0 || n == 0) return;
  prep_job j = { x, n, inv_t, buckets, arg, m, sum, probs, mass, bucket };
  pool_run(prep_task, &j, R);
}

/* The first index of the largest x[i] (NaN never wins; 0 when no x[i] > -inf): the max (AVX-512: 4 running maxima
 * of 16 lanes; else r1_maxf), then the first index holding it. */
size_t k_argmax(const float *x, size_t n) {
  size_t i = 0;
#if defined(__AVX512F__)
  /* max(v, acc) keeps acc when v is NaN; 4 accumulators, then the first block of 16 holding the max */
  __m512 acc[4];
  for (size_t k = 0; k < 4; k++) acc[k] = _mm512_set1_ps(-INFINITY);
  for (; i + 64 <= n; i += 64)
    for (size_t k = 0; k < 4; k++) acc[k] = _mm512_max_ps(_mm512_loadu_ps(x + i + 16 * k), acc[k]);
  float m = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_max_ps(acc[0], acc[1]), _mm512_max_ps(acc[2], acc[3])));
  for (; i < n; i++) m = x[i] > m ? x[i] : m;
  if (!(m > -INFINITY)) return 0;
  __m512 mv = _mm512_set1_ps(m);
  for (i = 0; i + 16 <= n; i += 16) {
    __mmask16 eq = _mm512_cmp_ps_mask(_mm512_loadu_ps(x + i), mv, _CMP_EQ_OQ);
    if (eq) return i + (size_t)__builtin_ctz(eq);
  }
#else
  float m = r1_maxf(x, n);
  if (!(m > -INFINITY)) return 0;
  i = 0;
#endif
  for (; i < n; i++) if (x[i] == m) return i;
  return 0;
}

/* Plain sampling's inverse CDF: walks u down over p[0..n) and returns the first i where it goes below 0 (-1 if it
 * never does). Whole blocks of CDF_BLOCK are skipped by their sums (eight lanes of stride 8, then pairs), so a u
 * within rounding (~1e-16 relative) of a block's edge may land one token over the token-by-token walk's. */
#define CDF_BLOCK 64
static inline double block_sum(const double *p) {
  double l[8];
  for (size_t k = 0; k < 8; k++) l[k] = p[k];
  for (size_t j = 8; j < CDF_BLOCK; j += 8)
    for (size_t k = 0; k < 8; k++) l[k] += p[j + k];
  return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

int64_t k_cdf_index(const double *p, size_t n, double u) {
  size_t i = 0;
  for (; i + CDF_BLOCK <= n; i += CDF_BLOCK) {
    double s = block_sum(p + i);
    if (u - s >= 0) { u -= s; continue; }
    for (size_t j = i; j < i + CDF_BLOCK; j++) {
      u -= p[j];
      if (u < 0) return (int64_t)j;
    }
  }
  for (; i < n; i++) {
    u -= p[i];
    if (u < 0) return (int64_t)i;
  }
  return -1;
}

/* The ids i < n with bucket[i] == b, ascending, into ids; stops once `want` are found (want < 0: scans all). Returns
 * how many. */
size_t k_bucket_ids(const uint16_t *bucket, size_t n, uint16_t b, int64_t want, int32_t *ids) {
  size_t found = 0, limit = want < 0 ? (size_t)-1 : (size_t)want, i = 0;
#if defined(__AVX512BW__)
  /* 32 buckets a compare; the indices of a block's matches in order */
  const __m512i key = _mm512_set1_epi16((short)b);
  for (; i + 32 <= n && found < limit; i += 32) {
    uint32_t hit = (uint32_t)_mm512_cmpeq_epi16_mask(_mm512_loadu_si512((const void *)(bucket + i)), key);
    while (hit && found < limit) {
      ids[found++] = (int32_t)(i + (size_t)__builtin_ctz(hit));
      hit &= hit - 1;
    }
  }
#endif
  for (; i < n && found < limit; i++)
    if (bucket[i] == b) ids[found++] = (int32_t)i;
  return found;
}

/* k_exp_shift's probabilities plus the sampler's buckets: bucket[i] = floor(-a * 128 * log2(e)) for a = (x[i] - m) *
 * inv_t (128 buckets an octave, the last, SAMPLE_BUCKETS - 1, also holding -inf and NaN), and mass[b] the sum of the
 * probabilities in bucket b (four partial histograms, so consecutive tokens of one bucket do not wait on each other). */
double k_sample_buckets(const float *x, double *probs, uint16_t *bucket, double *mass, size_t n, float m, float inv_t) {
  const float K = 128.0f * 1.44269504088896341f, last = (float)(SAMPLE_BUCKETS - 1);
  double sum = k_exp_shift(x, probs, n, m, inv_t);
  for (size_t i = 0; i < n; i++) {
    float y = -((x[i] - m) * inv_t) * K;
    bucket[i] = y < last ? (uint16_t)(int32_t)y : (uint16_t)(SAMPLE_BUCKETS - 1);
  }
  double *part = calloc(3 * SAMPLE_BUCKETS, sizeof(double));
  memset(mass, 0, SAMPLE_BUCKETS * sizeof(double));
  if (!part) { /* one histogram */
    for (size_t i = 0; i < n; i++) mass[bucket[i]] += probs[i];
    return sum;
  }
  double *p1 = part, *p2 = part + SAMPLE_BUCKETS, *p3 = part + 2 * SAMPLE_BUCKETS;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    mass[bucket[i]] += probs[i];
    p1[bucket[i + 1]] += probs[i + 1];
    p2[bucket[i + 2]] += probs[i + 2];
    p3[bucket[i + 3]] += probs[i + 3];
  }
  for (; i < n; i++) mass[bucket[i]] += probs[i];
  for (size_t b = 0; b < SAMPLE_BUCKETS; b++) mass[b] = ((mass[b] + p1[b]) + p2[b]) + p3[b];
  free(part);
  return sum;
}
