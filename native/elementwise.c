/* Elementwise kernels (binary with cyclic broadcast, unary, axpy, SwiGLU, AdamW, sum of squares, embedding):
 * plain loops the compiler vectorises, split over the pool when the arrays are large enough to pay for it.
 * Semantics follow src/tensor/kernels/types.ts and the TS kernels exactly (NaN propagates through min/max). */
#include "kern.h"
#include "pool.h"
#include "vmath.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GRAIN 32768

enum { ADD, SUB, MUL, DIV, MIN, MAX };
enum { NEG, EXP, LOG, SILU, SQRT, ABS };

static void binary_run(int op, const float *a, const float *b, float *out, size_t m) {
  switch (op) {
    case ADD: for (size_t i = 0; i < m; i++) out[i] = a[i] + b[i]; break;
    case SUB: for (size_t i = 0; i < m; i++) out[i] = a[i] - b[i]; break;
    case MUL: for (size_t i = 0; i < m; i++) out[i] = a[i] * b[i]; break;
    case DIV: for (size_t i = 0; i < m; i++) out[i] = a[i] / b[i]; break;
    case MIN:
      for (size_t i = 0; i < m; i++) {
        float x = a[i], y = b[i], r = x < y ? x : y;
        r = y != y ? y : r;
        out[i] = x != x ? x : r;
      }
      break;
    case MAX:
      for (size_t i = 0; i < m; i++) {
        float x = a[i], y = b[i], r = x > y ? x : y;
        r = y != y ? y : r;
        out[i] = x != x ? x : r;
      }
      break;
  }
}

static void binary_scalar(int op, const float *a, float y, float *out, size_t m) {
  switch (op) {
    case ADD: for (size_t i = 0; i < m; i++) out[i] = a[i] + y; break;
    case SUB: for (size_t i = 0; i < m; i++) out[i] = a[i] - y; break;
    case MUL: for (size_t i = 0; i < m; i++) out[i] = a[i] * y; break;
    case DIV: for (size_t i = 0; i < m; i++) out[i] = a[i] / y; break;
    default: {
      float ys[256];
      for (size_t i = 0; i < 256; i++) ys[i] = y;
      for (size_t o = 0; o < m; o += 256) binary_run(op, a + o, ys, out + o, m - o < 256 ? m - o : 256);
    }
  }
}

typedef struct { int op; const float *a, *b; float *out; size_t bl; } binary_job;

static void binary_range(void *ctx, size_t s, size_t e) {
  const binary_job *j = ctx;
  if (j->bl == 1) {
    binary_scalar(j->op, j->a + s, j->b[0], j->out + s, e - s);
    return;
  }
  for (size_t i = s; i < e;) {
    size_t off = i % j->bl, run = j->bl - off;
    if (run > e - i) run = e - i;
    binary_run(j->op, j->a + i, j->b + off, j->out + i, run);
    i += run;
  }
}

void k_binary(int op, const float *a, const float *b, float *out, size_t n, size_t bl) {
  binary_job j = { op, a, b, out, bl };
  pool_for(n, GRAIN, binary_range, &j);
}

typedef struct { int op; const float *x; float *out; } unary_job;

static void unary_range(void *ctx, size_t s, size_t e) {
  const unary_job *j = ctx;
  const float *x = j->x + s;
  float *out = j->out + s;
  size_t m = e - s;
  switch (j->op) {
    case NEG: for (size_t i = 0; i < m; i++) out[i] = -x[i]; break;
    case EXP: for (size_t i = 0; i < m; i++) out[i] = r1_expf(x[i]); break;
    case LOG: for (size_t i = 0; i < m; i++) out[i] = logf(x[i]); break;
    case SILU: for (size_t i = 0; i < m; i++) out[i] = x[i] * r1_sigmoidf(x[i]); break;
    case SQRT: for (size_t i = 0; i < m; i++) out[i] = sqrtf(x[i]); break;
    case ABS: for (size_t i = 0; i < m; i++) out[i] = fabsf(x[i]); break;
  }
}

void k_unary(int op, const float *x, float *out, size_t n) {
  unary_job j = { op, x, out };
  pool_for(n, GRAIN, unary_range, &j);
}

typedef struct { float alpha; const float *x; float *y; } axpy_job;

static void axpy_range(void *ctx, size_t s, size_t e) {
  const axpy_job *j = ctx;
  const float *x = j->x;
  float *y = j->y, alpha = j->alpha;
  for (size_t i = s; i < e; i++) y[i] += alpha * x[i];
}

void k_axpy(float alpha, const float *x, float *y, size_t n) {
  axpy_job j = { alpha, x, y };
  pool_for(n, GRAIN, axpy_range, &j);
}

typedef struct { const float *dout, *gate, *up; float *out, *dgate, *dup; } swiglu_job;

static void swiglu_fwd_range(void *ctx, size_t s, size_t e) {
  const swiglu_job *j = ctx;
  const float *g = j->gate, *u = j->up;
  float *out = j->out;
  for (size_t i = s; i < e; i++) out[i] = g[i] * r1_sigmoidf(g[i]) * u[i];
}

void k_swiglu_fwd(const float *gate, const float *up, float *out, size_t n) {
  swiglu_job j = { NULL, gate, up, out, NULL, NULL };
  pool_for(n, GRAIN, swiglu_fwd_range, &j);
}

static void swiglu_bwd_range(void *ctx, size_t s, size_t e) {
  const swiglu_job *j = ctx;
  const float *d = j->dout, *g = j->gate, *u = j->up;
  float *dg = j->dgate, *du = j->dup;
  for (size_t i = s; i < e; i++) {
    float sg = r1_sigmoidf(g[i]), di = d[i];
    float dgi = di * u[i] * sg * (1.0f + g[i] * (1.0f - sg));
    du[i] = di * g[i] * sg;
    dg[i] = dgi;
  }
}

void k_swiglu_bwd(const float *dout, const float *gate, const float *up, float *dgate, float *dup, size_t n) {
  swiglu_job j = { dout, gate, up, NULL, dgate, dup };
  pool_for(n, GRAIN, swiglu_bwd_range, &j);
}

#define MAX_PARTS 64
typedef struct { const float *x; size_t n, parts; double part[MAX_PARTS]; } sumsq_job;

static void sumsq_task(void *ctx, size_t i) {
  sumsq_job *j = ctx;
  size_t s = j->n * i / j->parts, e = j->n * (i + 1) / j->parts;
  /* blocks of float sums (vectorised) folded into a double, so long arrays keep double precision */
  double acc = 0.0;
  for (size_t o = s; o < e; o += 1024) {
    size_t m = e - o < 1024 ? e - o : 1024;
    float blk = 0.0f;
    for (size_t k = 0; k < m; k++) blk += j->x[o + k] * j->x[o + k];
    acc += blk;
  }
  j->part[i] = acc;
}

double k_sum_squares(const float *x, size_t n) {
  sumsq_job j;
  j.x = x;
  j.n = n;
  j.parts = n >= 2 * GRAIN ? (size_t)pool_threads() : 1;
  if (j.parts > MAX_PARTS) j.parts = MAX_PARTS;
  pool_run(sumsq_task, &j, j.parts);
  double s = 0.0;
  for (size_t i = 0; i < j.parts; i++) s += j.part[i];
  return s;
}

typedef struct { float *p; const float *g; float *m, *v; float lr, b1, b2, eps, decay, step, rbc2; } adamw_job;

static void adamw_range(void *ctx, size_t s, size_t e) {
  const adamw_job *j = ctx;
  float *p = j->p, *m = j->m, *v = j->v;
  const float *g = j->g;
  for (size_t i = s; i < e; i++) {
    float gi = g[i];
    float mi = j->b1 * m[i] + (1.0f - j->b1) * gi;
    float vi = j->b2 * v[i] + (1.0f - j->b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * j->decay - j->step * mi / (sqrtf(vi) * j->rbc2 + j->eps);
  }
}

void k_adamw(float *p, const float *g, float *m, float *v, size_t n,
             float lr, float b1, float b2, float eps, float wd, float bc1, float bc2) {
  adamw_job j = { p, g, m, v, lr, b1, b2, eps, 1.0f - lr * wd, lr / bc1, 1.0f / sqrtf(bc2) };
  pool_for(n, GRAIN / 2, adamw_range, &j);
}

void k_embedding_fwd(const float *w, const int32_t *ids, float *out, size_t n, size_t C) {
  for (size_t i = 0; i < n; i++) memcpy(out + i * C, w + (size_t)ids[i] * C, C * sizeof(float));
}

void k_embedding_bwd(const float *dout, const int32_t *ids, float *dw, size_t n, size_t C) {
  for (size_t i = 0; i < n; i++) {
    float *row = dw + (size_t)ids[i] * C;
    const float *d = dout + i * C;
    for (size_t c = 0; c < C; c++) row[c] += d[c];
  }
}
