/* The N-API face of the kernels: unpacks and validates arguments (typed-array kinds, lengths against the
 * dimensions, indices in range), then calls kern.h. Every bad call throws a JS Error naming the kernel and
 * the sizes; nothing here may fault. Method names and argument orders are those of the Kernels interface. */
#include <node_api.h>
#include <stdio.h>
#include <stdint.h>
#include <math.h>
#include "kern.h"
#include "pool.h"
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "napi_args.h"

void register_bf16(napi_env env, napi_value exports); /* addon_bf16.c */

static napi_value js_gemm(napi_env env, napi_callback_info info) {
  Args A;
  GemmArgs g;
  if (!args(&A, env, info, "gemm", 14) || !gemm_args(&A, &g)) return NULL;
  k_gemm(g.a, g.b, g.c, g.batch, g.M, g.N, g.K, g.ta, g.tb, g.alpha, g.beta, g.sA, g.sB, g.sC);
  return undef(env);
}

static napi_value js_gemm_rows(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "gemmRows", 7)) return NULL;
  size_t la, lb, lc;
  float *a = f32(&A, 0, "A", &la), *b = f32(&A, 1, "B", &lb), *c = f32(&A, 2, "C", &lc);
  size_t M = dim(&A, 3, "M"), N = dim(&A, 4, "N"), K = dim(&A, 5, "K");
  double beta = num(&A, 6, "beta");
  need(&A, "A (M, K)", la, (double)M * K);
  need(&A, "B (N, K)", lb, (double)N * K);
  need(&A, "C (M, N)", lc, (double)M * N);
  if (A.err) return NULL;
  k_gemm_rows(a, b, c, M, N, K, (float)beta);
  return undef(env);
}

/* a new typed array of n elements of `size` bytes whose data starts on a 64-byte boundary (the buffer is 64 bytes
 * longer and the view starts at the first aligned byte); its data, or NULL */
static void *aligned_array(napi_env env, napi_typedarray_type type, size_t n, size_t size, napi_value *out, size_t *off) {
  void *data = NULL;
  napi_value ab;
  if (napi_create_arraybuffer(env, n * size + 64, &data, &ab) != napi_ok) return NULL;
  *off = (64 - (uintptr_t)data % 64) % 64;
  if (napi_create_typedarray(env, type, n, ab, *off, out) != napi_ok) return NULL;
  return (char *)data + *off;
}

/* packW16(b, N, K[, out]) → Uint16Array: gemmRowsW16's BF16 copy of B (N, K), written into out (a copy of an earlier
 * packW16 of the same shape, reused after the weights changed) or a new array */
static napi_value js_pack_w16(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "packW16", 3)) return NULL;
  int into = A.argc >= 4;
  size_t lb, lo = 0;
  float *b = f32(&A, 0, "B", &lb);
  size_t N = dim(&A, 1, "N"), K = dim(&A, 2, "K");
  uint16_t *data = into ? typed(&A, 3, napi_uint16_array, "out", &lo, 0) : NULL;
  need(&A, "B (N, K)", lb, (double)N * K);
  size_t len = N * w16_stride(K), off;
  if (!A.err && into && lo != len) fail(&A, "out has length %zu, but packW16 of N=%zu K=%zu gives %zu", lo, N, K, len);
  if (A.err) return NULL;
  napi_value out = into ? A.argv[3] : NULL;
  if (!into && !(data = aligned_array(env, napi_uint16_array, len, 2, &out, &off))) { fail(&A, "could not allocate %zu bytes", len * 2); return NULL; }
  if (len > 0) k_pack_w16(b, data, N, K);
  return out;
}

/* alignedFloat32(n) → a zeroed Float32Array of n whose first element sits on a 64-byte boundary (a cache line: a
 * vector load from it then never spans two lines) */
static napi_value js_aligned_float32(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "alignedFloat32", 1)) return NULL;
  size_t n = dim(&A, 0, "n"), off;
  if (A.err) return NULL;
  napi_value out;
  if (!aligned_array(env, napi_float32_array, n, 4, &out, &off)) { fail(&A, "could not allocate %zu floats", n); return NULL; }
  return out;
}

static size_t w16_len(size_t K, size_t N) { return N * w16_stride(K); }

static napi_value js_gemm_rows_w16(napi_env env, napi_callback_info info) {
  Args A;
  PackedArgs g;
  if (!args(&A, env, info, "gemmRowsW16", 7) || !packed_args(&A, &g, w16_len, "packW16")) return NULL;
  double beta = num(&A, 6, "beta");
  if (A.err) return NULL;
  k_gemm_rows_w16(g.a, g.b, g.c, g.M, g.N, g.K, (float)beta);
  return undef(env);
}

static napi_value js_binary(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "binary", 5)) return NULL;
  size_t la, lb, lo;
  double op = num(&A, 0, "op");
  float *a = f32(&A, 1, "a", &la), *b = f32(&A, 2, "b", &lb), *out = f32(&A, 3, "out", &lo);
  size_t n = dim(&A, 4, "n");
  if (!A.err && !(op >= 0 && op <= 5 && op == floor(op))) fail(&A, "unknown op %g", op);
  need(&A, "a", la, (double)n);
  need(&A, "out", lo, (double)n);
  if (!A.err && n > 0 && (lb == 0 || n % lb != 0)) fail(&A, "b has length %zu, which does not divide n=%zu (cyclic broadcast)", lb, n);
  if (A.err) return NULL;
  if (n > 0) k_binary((int)op, a, b, out, n, lb);
  return undef(env);
}

static napi_value js_unary(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "unary", 4)) return NULL;
  size_t lx, lo;
  double op = num(&A, 0, "op");
  float *x = f32(&A, 1, "x", &lx), *out = f32(&A, 2, "out", &lo);
  size_t n = dim(&A, 3, "n");
  if (!A.err && !(op >= 0 && op <= 5 && op == floor(op))) fail(&A, "unknown op %g", op);
  need(&A, "x", lx, (double)n);
  need(&A, "out", lo, (double)n);
  if (A.err) return NULL;
  k_unary((int)op, x, out, n);
  return undef(env);
}

static napi_value js_axpy(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "axpy", 4)) return NULL;
  size_t lx, ly;
  float alpha = (float)num(&A, 0, "alpha");
  float *x = f32(&A, 1, "x", &lx), *y = f32(&A, 2, "y", &ly);
  size_t n = dim(&A, 3, "n");
  need(&A, "x", lx, (double)n);
  need(&A, "y", ly, (double)n);
  if (A.err) return NULL;
  k_axpy(alpha, x, y, n);
  return undef(env);
}


static napi_value js_swiglu_fwd(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "swigluFwd", 4)) return NULL;
  size_t lg, lu, lo;
  float *g = f32(&A, 0, "gate", &lg), *u = f32(&A, 1, "up", &lu), *o = f32(&A, 2, "out", &lo);
  size_t n = dim(&A, 3, "n");
  need(&A, "gate", lg, (double)n);
  need(&A, "up", lu, (double)n);
  need(&A, "out", lo, (double)n);
  if (A.err) return NULL;
  k_swiglu_fwd(g, u, o, n);
  return undef(env);
}

static napi_value js_swiglu_bwd(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "swigluBwd", 6)) return NULL;
  size_t l0, l1, l2, l3, l4;
  float *d = f32(&A, 0, "dout", &l0), *g = f32(&A, 1, "gate", &l1), *u = f32(&A, 2, "up", &l2);
  float *dg = f32(&A, 3, "dgate", &l3), *du = f32(&A, 4, "dup", &l4);
  size_t n = dim(&A, 5, "n");
  need(&A, "dout", l0, (double)n);
  need(&A, "gate", l1, (double)n);
  need(&A, "up", l2, (double)n);
  need(&A, "dgate", l3, (double)n);
  need(&A, "dup", l4, (double)n);
  if (A.err) return NULL;
  k_swiglu_bwd(d, g, u, dg, du, n);
  return undef(env);
}

static napi_value js_rmsnorm_fwd(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "rmsnormFwd", 7)) return NULL;
  size_t lx, lw, lo, lr;
  float *x = f32(&A, 0, "x", &lx), *w = f32(&A, 1, "w", &lw), *o = f32(&A, 2, "out", &lo), *r = f32(&A, 3, "rstd", &lr);
  size_t rows = dim(&A, 4, "rows"), C = dim(&A, 5, "C");
  float eps = (float)num(&A, 6, "eps");
  need(&A, "x (rows, C)", lx, (double)rows * C);
  need(&A, "w (C)", lw, (double)C);
  need(&A, "out (rows, C)", lo, (double)rows * C);
  need(&A, "rstd (rows)", lr, (double)rows);
  if (A.err) return NULL;
  k_rmsnorm_fwd(x, w, o, r, rows, C, eps);
  return undef(env);
}

static napi_value js_rmsnorm_bwd(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "rmsnormBwd", 8)) return NULL;
  size_t l0, l1, l2, l3, l4, l5;
  float *d = f32(&A, 0, "dout", &l0), *x = f32(&A, 1, "x", &l1), *w = f32(&A, 2, "w", &l2);
  float *r = f32(&A, 3, "rstd", &l3), *dx = f32(&A, 4, "dx", &l4), *dw = f32(&A, 5, "dw", &l5);
  size_t rows = dim(&A, 6, "rows"), C = dim(&A, 7, "C");
  need(&A, "dout (rows, C)", l0, (double)rows * C);
  need(&A, "x (rows, C)", l1, (double)rows * C);
  need(&A, "w (C)", l2, (double)C);
  need(&A, "rstd (rows)", l3, (double)rows);
  need(&A, "dx (rows, C)", l4, (double)rows * C);
  need(&A, "dw (C)", l5, (double)C);
  if (A.err) return NULL;
  k_rmsnorm_bwd(d, x, w, r, dx, dw, rows, C);
  return undef(env);
}

static napi_value js_rope(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "rope", 10)) return NULL;
  size_t lx, lo, lc, ls, lp;
  float *x = f32(&A, 0, "x", &lx), *o = f32(&A, 1, "out", &lo), *c = f32(&A, 2, "cos", &lc), *s = f32(&A, 3, "sin", &ls);
  int32_t *pos = i32(&A, 4, "pos", &lp, 0);
  size_t B = dim(&A, 5, "B"), T = dim(&A, 6, "T"), nh = dim(&A, 7, "nh"), hs = dim(&A, 8, "hs");
  int inverse = flag(&A, 9);
  if (!A.err && hs % 2) fail(&A, "head size %zu must be even", hs);
  need(&A, "x (B, T, nh, hs)", lx, (double)B * T * nh * hs);
  need(&A, "out (B, T, nh, hs)", lo, (double)B * T * nh * hs);
  need(&A, "pos (B*T)", lp, (double)B * T);
  need(&A, "sin", ls, (double)lc);
  if (A.err) return NULL;
  size_t maxPos = hs ? lc / (hs / 2) : 0;
  for (size_t i = 0; i < B * T && !A.err; i++)
    if (pos[i] < 0 || (size_t)pos[i] >= maxPos) fail(&A, "pos[%zu] = %d is outside the table of %zu positions", i, pos[i], maxPos);
  if (A.err) return NULL;
  if (hs > 0) k_rope(x, o, c, s, pos, B, T, nh, hs, inverse);
  return undef(env);
}

/* shared checks of attentionFwd/Bwd; q-like arrays (B, T, nh, hs), kv-like (B, S, nkv, hs) */
static void attn_dims(Args *A, size_t B, size_t T, size_t S, size_t nh, size_t nkv, size_t hs) {
  if (A->err) return;
  if (nkv == 0 || nh % nkv != 0) fail(A, "nh=%zu must be a multiple of nkv=%zu", nh, nkv);
  else if (hs == 0) fail(A, "head size must be positive");
}

static void attn_need(Args *A, const char *what, size_t have, double want, size_t B, size_t T, size_t S, size_t nh, size_t nkv, size_t hs) {
  if (!A->err && (double)have < want)
    fail(A, "%s has length %zu, needs %.0f (B=%zu T=%zu S=%zu nh=%zu nkv=%zu hs=%zu)", what, have, want, B, T, S, nh, nkv, hs);
}

#define ATTN_NEED(what, len, want) attn_need(&A, what, len, want, B, T, S, nh, nkv, hs)

static napi_value attention_fwd(napi_env env, napi_callback_info info, const char *name, int bf16) {
  Args A;
  if (!args(&A, env, info, name, 14)) return NULL;
  size_t lq, lk, lv, lo, ll, lkv;
  float *q = f32(&A, 0, "q", &lq), *k = f32(&A, 1, "k", &lk), *v = f32(&A, 2, "v", &lv);
  float *o = f32(&A, 3, "out", &lo), *lse = f32(&A, 4, "lse", &ll);
  size_t B = dim(&A, 5, "B"), T = dim(&A, 6, "T"), S = dim(&A, 7, "S"), nh = dim(&A, 8, "nh"), nkv = dim(&A, 9, "nkv"), hs = dim(&A, 10, "hs");
  float scale = (float)num(&A, 11, "scale");
  int causal = flag(&A, 12);
  int32_t *kvLen = i32(&A, 13, "kvLen", &lkv, 1);
  attn_dims(&A, B, T, S, nh, nkv, hs);
  ATTN_NEED("q (B, T, nh, hs)", lq, (double)B * T * nh * hs);
  ATTN_NEED("k (B, S, nkv, hs)", lk, (double)B * S * nkv * hs);
  ATTN_NEED("v (B, S, nkv, hs)", lv, (double)B * S * nkv * hs);
  ATTN_NEED("out (B, T, nh, hs)", lo, (double)B * T * nh * hs);
  ATTN_NEED("lse (B, nh, T)", ll, (double)B * nh * T);
  if (kvLen) ATTN_NEED("kvLen (B)", lkv, (double)B);
  if (A.err) return NULL;
  if (k_attention_fwd(q, k, v, o, lse, B, T, S, nh, nkv, hs, scale, causal, kvLen, bf16) != 0) fail(&A, "out of memory");
  return A.err ? NULL : undef(env);
}

static napi_value attention_bwd(napi_env env, napi_callback_info info, const char *name, int bf16) {
  Args A;
  if (!args(&A, env, info, name, 17)) return NULL;
  size_t l[9], lkv = 0;
  static const char *names[9] = { "dout", "q", "k", "v", "out", "lse", "dq", "dk", "dv" };
  float *p[9];
  for (size_t i = 0; i < 9; i++) p[i] = f32(&A, i, names[i], &l[i]);
  size_t B = dim(&A, 9, "B"), T = dim(&A, 10, "T"), S = dim(&A, 11, "S"), nh = dim(&A, 12, "nh"), nkv = dim(&A, 13, "nkv"), hs = dim(&A, 14, "hs");
  float scale = (float)num(&A, 15, "scale");
  int causal = flag(&A, 16);
  int32_t *kvLen = A.argc > 17 ? i32(&A, 17, "kvLen", &lkv, 1) : NULL;
  attn_dims(&A, B, T, S, nh, nkv, hs);
  ATTN_NEED("dout (B, T, nh, hs)", l[0], (double)B * T * nh * hs);
  ATTN_NEED("q (B, T, nh, hs)", l[1], (double)B * T * nh * hs);
  ATTN_NEED("k (B, S, nkv, hs)", l[2], (double)B * S * nkv * hs);
  ATTN_NEED("v (B, S, nkv, hs)", l[3], (double)B * S * nkv * hs);
  ATTN_NEED("out (B, T, nh, hs)", l[4], (double)B * T * nh * hs);
  ATTN_NEED("lse (B, nh, T)", l[5], (double)B * nh * T);
  ATTN_NEED("dq (B, T, nh, hs)", l[6], (double)B * T * nh * hs);
  ATTN_NEED("dk (B, S, nkv, hs)", l[7], (double)B * S * nkv * hs);
  ATTN_NEED("dv (B, S, nkv, hs)", l[8], (double)B * S * nkv * hs);
  if (kvLen) ATTN_NEED("kvLen (B)", lkv, (double)B);
  if (A.err) return NULL;
  if (k_attention_bwd(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], B, T, S, nh, nkv, hs, scale, causal, kvLen, bf16) != 0)
    fail(&A, "out of memory");
  return A.err ? NULL : undef(env);
}

static napi_value js_attention_fwd(napi_env env, napi_callback_info info) { return attention_fwd(env, info, "attentionFwd", 0); }
static napi_value js_attention_bwd(napi_env env, napi_callback_info info) { return attention_bwd(env, info, "attentionBwd", 0); }
static napi_value js_attention_fwd_bf16(napi_env env, napi_callback_info info) { return attention_fwd(env, info, "attentionFwdBf16", 1); }
static napi_value js_attention_bwd_bf16(napi_env env, napi_callback_info info) { return attention_bwd(env, info, "attentionBwdBf16", 1); }

typedef void (*rows2_fn)(const float *, float *, size_t, size_t);
typedef void (*rows3_fn)(const float *, const float *, float *, size_t, size_t);

/* softmaxFwd / logSoftmaxFwd: (x, out, rows, cols) */
static napi_value rows2(napi_env env, napi_callback_info info, const char *name, rows2_fn fn) {
  Args A;
  if (!args(&A, env, info, name, 4)) return NULL;
  size_t lx, lo;
  float *x = f32(&A, 0, "x", &lx), *o = f32(&A, 1, "out", &lo);
  size_t rows = dim(&A, 2, "rows"), cols = dim(&A, 3, "cols");
  need(&A, "x (rows, cols)", lx, (double)rows * cols);
  need(&A, "out (rows, cols)", lo, (double)rows * cols);
  if (A.err) return NULL;
  fn(x, o, rows, cols);
  return undef(env);
}

/* softmaxBwd / logSoftmaxBwd: (dout, y, dx, rows, cols) */
static napi_value rows3(napi_env env, napi_callback_info info, const char *name, rows3_fn fn) {
  Args A;
  if (!args(&A, env, info, name, 5)) return NULL;
  size_t ld, ly, lx;
  float *d = f32(&A, 0, "dout", &ld), *y = f32(&A, 1, "y", &ly), *dx = f32(&A, 2, "dx", &lx);
  size_t rows = dim(&A, 3, "rows"), cols = dim(&A, 4, "cols");
  need(&A, "dout (rows, cols)", ld, (double)rows * cols);
  need(&A, "y (rows, cols)", ly, (double)rows * cols);
  need(&A, "dx (rows, cols)", lx, (double)rows * cols);
  if (A.err) return NULL;
  fn(d, y, dx, rows, cols);
  return undef(env);
}

static napi_value js_softmax_fwd(napi_env e, napi_callback_info i) { return rows2(e, i, "softmaxFwd", k_softmax_fwd); }
static napi_value js_log_softmax_fwd(napi_env e, napi_callback_info i) { return rows2(e, i, "logSoftmaxFwd", k_log_softmax_fwd); }
static napi_value js_softmax_bwd(napi_env e, napi_callback_info i) { return rows3(e, i, "softmaxBwd", k_softmax_bwd); }
static napi_value js_log_softmax_bwd(napi_env e, napi_callback_info i) { return rows3(e, i, "logSoftmaxBwd", k_log_softmax_bwd); }

static void check_targets(Args *A, const int32_t *t, size_t rows, size_t V) {
  for (size_t r = 0; r < rows && !A->err; r++)
    if (t[r] >= 0 && (size_t)t[r] >= V) fail(A, "targets[%zu] = %d >= vocabulary size %zu", r, t[r], V);
}

static napi_value js_logprob_fwd(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "logprobFwd", 6)) return NULL;
  size_t ll, lt, lo, ls;
  float *logits = f32(&A, 0, "logits", &ll);
  int32_t *t = i32(&A, 1, "targets", &lt, 0);
  float *o = f32(&A, 2, "out", &lo), *lse = f32(&A, 3, "lse", &ls);
  size_t rows = dim(&A, 4, "rows"), V = dim(&A, 5, "V"), le;
  float *ent = typed(&A, 6, napi_float32_array, "entropy", &le, 1);
  need(&A, "logits (rows, V)", ll, (double)rows * V);
  need(&A, "targets (rows)", lt, (double)rows);
  need(&A, "out (rows)", lo, (double)rows);
  need(&A, "lse (rows)", ls, (double)rows);
  if (ent) need(&A, "entropy (rows)", le, (double)rows);
  if (!A.err) check_targets(&A, t, rows, V);
  if (A.err) return NULL;
  k_logprob_fwd(logits, t, o, lse, ent, rows, V);
  return undef(env);
}

static napi_value js_logprob_bwd(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "logprobBwd", 7)) return NULL;
  size_t ld, ll, lt, ls, lg;
  float *d = f32(&A, 0, "dout", &ld), *logits = f32(&A, 1, "logits", &ll);
  int32_t *t = i32(&A, 2, "targets", &lt, 0);
  float *lse = f32(&A, 3, "lse", &ls), *dl = f32(&A, 4, "dlogits", &lg);
  size_t rows = dim(&A, 5, "rows"), V = dim(&A, 6, "V");
  need(&A, "dout (rows)", ld, (double)rows);
  need(&A, "logits (rows, V)", ll, (double)rows * V);
  need(&A, "targets (rows)", lt, (double)rows);
  need(&A, "lse (rows)", ls, (double)rows);
  need(&A, "dlogits (rows, V)", lg, (double)rows * V);
  if (!A.err) check_targets(&A, t, rows, V);
  if (A.err) return NULL;
  k_logprob_bwd(d, logits, t, lse, dl, rows, V);
  return undef(env);
}

/* embeddingFwd (weight, ids, out, n, C) and embeddingBwd (dout, ids, dweight, n, C) */
static napi_value embedding(napi_env env, napi_callback_info info, int bwd) {
  Args A;
  if (!args(&A, env, info, bwd ? "embeddingBwd" : "embeddingFwd", 5)) return NULL;
  size_t l0, li, l2;
  float *a0 = f32(&A, 0, bwd ? "dout" : "weight", &l0);
  int32_t *ids = i32(&A, 1, "ids", &li, 0);
  float *a2 = f32(&A, 2, bwd ? "dweight" : "out", &l2);
  size_t n = dim(&A, 3, "n"), C = dim(&A, 4, "C");
  size_t lw = bwd ? l2 : l0, lrows = bwd ? l0 : l2, V = C ? lw / C : 0;
  need(&A, "ids (n)", li, (double)n);
  need(&A, bwd ? "dout (n, C)" : "out (n, C)", lrows, (double)n * C);
  for (size_t i = 0; i < n && !A.err; i++)
    if (ids[i] < 0 || (size_t)ids[i] >= V) fail(&A, "ids[%zu] = %d is outside the table of %zu rows (C=%zu)", i, ids[i], V, C);
  if (A.err) return NULL;
  if (bwd) k_embedding_bwd(a0, ids, a2, n, C);
  else k_embedding_fwd(a0, ids, a2, n, C);
  return undef(env);
}

static napi_value js_embedding_fwd(napi_env e, napi_callback_info i) { return embedding(e, i, 0); }
static napi_value js_embedding_bwd(napi_env e, napi_callback_info i) { return embedding(e, i, 1); }

static napi_value js_sum_squares(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "sumSquares", 2)) return NULL;
  size_t lx;
  float *x = f32(&A, 0, "x", &lx);
  size_t n = dim(&A, 1, "n");
  need(&A, "x", lx, (double)n);
  if (A.err) return NULL;
  napi_value r;
  napi_create_double(env, k_sum_squares(x, n), &r);
  return r;
}

static napi_value js_exp_shift(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "expShift", 4)) return NULL;
  size_t lx, lo;
  float *x = f32(&A, 0, "x", &lx);
  double *o = f64(&A, 1, "out", &lo);
  double m = num(&A, 2, "m"), inv_t = num(&A, 3, "invT");
  need(&A, "out", lo, (double)lx);
  if (A.err) return NULL;
  napi_value r;
  napi_create_double(env, k_exp_shift(x, o, lx, (float)m, (float)inv_t), &r);
  return r;
}

static napi_value js_sample_buckets(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "sampleBuckets", 6)) return NULL;
  size_t lx, lp, lb, lm;
  float *x = f32(&A, 0, "x", &lx);
  double *p = f64(&A, 1, "probs", &lp);
  uint16_t *b = typed(&A, 2, napi_uint16_array, "bucket", &lb, 0);
  double *mass = f64(&A, 3, "mass", &lm);
  double m = num(&A, 4, "m"), inv_t = num(&A, 5, "invT");
  need(&A, "probs", lp, (double)lx);
  need(&A, "bucket", lb, (double)lx);
  need(&A, "mass", lm, (double)SAMPLE_BUCKETS);
  if (A.err) return NULL;
  napi_value r;
  napi_create_double(env, k_sample_buckets(x, p, b, mass, lx, (float)m, (float)inv_t), &r);
  return r;
}

/* attentionDecode[Bf16](q, kCache, vCache, out, lse, B, S, nh, nkv, hs, scale, kvLen): a decode step on a KV cache of
 * floats, or of BF16 bits */
static napi_value attention_decode(napi_env env, napi_callback_info info, int bf16) {
  Args A;
  const char *name = bf16 ? "attentionDecodeBf16" : "attentionDecode";
  if (!args(&A, env, info, name, 12)) return NULL;
  size_t lq, lk, lv, lo, ll, lkv;
  float *q = f32(&A, 0, "q", &lq);
  napi_typedarray_type cache = bf16 ? napi_uint16_array : napi_float32_array;
  void *k = typed(&A, 1, cache, "kCache", &lk, 0), *v = typed(&A, 2, cache, "vCache", &lv, 0);
  float *o = f32(&A, 3, "out", &lo), *lse = f32(&A, 4, "lse", &ll);
  size_t B = dim(&A, 5, "B"), S = dim(&A, 6, "S"), nh = dim(&A, 7, "nh"), nkv = dim(&A, 8, "nkv"), hs = dim(&A, 9, "hs");
  float scale = (float)num(&A, 10, "scale");
  int32_t *kvLen = i32(&A, 11, "kvLen", &lkv, 0);
  if (!A.err && (nkv == 0 || nh % nkv != 0)) fail(&A, "nh=%zu must be a multiple of nkv=%zu", nh, nkv);
  need(&A, "q (B, nh, hs)", lq, (double)B * nh * hs);
  need(&A, "kCache (B, S, nkv, hs)", lk, (double)B * S * nkv * hs);
  need(&A, "vCache (B, S, nkv, hs)", lv, (double)B * S * nkv * hs);
  need(&A, "out (B, nh, hs)", lo, (double)B * nh * hs);
  need(&A, "lse (B, nh)", ll, (double)B * nh);
  need(&A, "kvLen (B)", lkv, (double)B);
  if (A.err) return NULL;
  if (k_attention_decode(q, k, v, o, lse, B, S, nh, nkv, hs, scale, kvLen, bf16) != 0) fail(&A, "out of memory");
  return A.err ? NULL : undef(env);
}

static napi_value js_attention_decode(napi_env e, napi_callback_info i) { return attention_decode(e, i, 0); }
static napi_value js_attention_decode_bf16(napi_env e, napi_callback_info i) { return attention_decode(e, i, 1); }

/* sampleRowsPrep(x, R, n, invT, buckets, arg, m, sum, probs, bucket, mass): argmax and sampleBuckets (buckets) or
 * expShift of R rows of n logits at once, rows in parallel */
static napi_value js_sample_rows_prep(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "sampleRowsPrep", 11)) return NULL;
  size_t lx, la, lm, ls, lp, lb, lmass;
  float *x = f32(&A, 0, "x", &lx);
  size_t R = dim(&A, 1, "R"), n = dim(&A, 2, "n");
  double inv_t = num(&A, 3, "invT");
  int buckets = flag(&A, 4);
  int32_t *arg = i32(&A, 5, "arg", &la, 0);
  float *m = f32(&A, 6, "m", &lm);
  double *sum = f64(&A, 7, "sum", &ls), *probs = f64(&A, 8, "probs", &lp);
  uint16_t *bucket = typed(&A, 9, napi_uint16_array, "bucket", &lb, 0);
  double *mass = f64(&A, 10, "mass", &lmass);
  need(&A, "x (R, n)", lx, (double)R * n);
  need(&A, "arg (R)", la, (double)R);
  need(&A, "m (R)", lm, (double)R);
  need(&A, "sum (R)", ls, (double)R);
  need(&A, "probs (R, n)", lp, (double)R * n);
  if (buckets) {
    need(&A, "bucket (R, n)", lb, (double)R * n);
    need(&A, "mass (R, 8192)", lmass, (double)R * SAMPLE_BUCKETS);
  }
  if (A.err) return NULL;
  k_sample_rows_prep(x, R, n, (float)inv_t, buckets, arg, m, sum, probs, bucket, mass);
  return undef(env);
}

static napi_value js_argmax(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "argmax", 1)) return NULL;
  size_t lx;
  float *x = f32(&A, 0, "x", &lx);
  if (A.err) return NULL;
  napi_value r;
  napi_create_double(env, (double)k_argmax(x, lx), &r);
  return r;
}

static napi_value js_cdf_index(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "cdfIndex", 3)) return NULL;
  size_t lp;
  double *p = f64(&A, 0, "p", &lp);
  size_t n = dim(&A, 1, "n");
  double u = num(&A, 2, "u");
  need(&A, "p", lp, (double)n);
  if (A.err) return NULL;
  napi_value r;
  napi_create_double(env, (double)k_cdf_index(p, n, u), &r);
  return r;
}

static napi_value js_bucket_ids(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "bucketIds", 5)) return NULL;
  size_t lb, li;
  uint16_t *bucket = typed(&A, 0, napi_uint16_array, "bucket", &lb, 0);
  size_t n = dim(&A, 1, "n");
  double b = num(&A, 2, "b"), want = num(&A, 3, "want");
  int32_t *ids = i32(&A, 4, "ids", &li, 0);
  need(&A, "bucket", lb, (double)n);
  need(&A, "ids", li, want >= 0 && want < (double)n ? want : (double)n);
  if (!A.err && !(b >= 0 && b < 65536 && b == (double)(uint16_t)b)) fail(&A, "bucket %g must be an integer in [0, 65535]", b);
  if (A.err) return NULL;
  napi_value r;
  napi_create_double(env, (double)k_bucket_ids(bucket, n, (uint16_t)b, want < 0 ? -1 : (int64_t)want, ids), &r);
  return r;
}

static napi_value js_adamw(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "adamw", 12)) return NULL;
  size_t l[4];
  float *p = f32(&A, 0, "p", &l[0]), *g = f32(&A, 1, "g", &l[1]), *m = f32(&A, 2, "m", &l[2]), *v = f32(&A, 3, "v", &l[3]);
  size_t n = dim(&A, 4, "n");
  double h[7];
  static const char *hn[7] = { "lr", "b1", "b2", "eps", "wd", "bc1", "bc2" };
  for (size_t i = 0; i < 7; i++) h[i] = num(&A, 5 + i, hn[i]);
  need(&A, "p", l[0], n);
  need(&A, "g", l[1], n);
  need(&A, "m", l[2], n);
  need(&A, "v", l[3], n);
  if (A.err) return NULL;
  k_adamw(p, g, m, v, n, (float)h[0], (float)h[1], (float)h[2], (float)h[3], (float)h[4], (float)h[5], (float)h[6]);
  return undef(env);
}

static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "setThreads", 1)) return NULL;
  size_t n = dim(&A, 0, "threads");
  if (A.err) return NULL;
  napi_value r;
  napi_create_int32(env, pool_set_threads(n > 64 ? 64 : (int)n), &r);
  return r;
}

/* Freed tensor buffers (V8 ArrayBuffers come from calloc) stay in the malloc heap instead of going back to
 * the OS, so the next tensor of that size reuses warm pages instead of faulting fresh ones (~0.3 ms/MB here). */
static void keep_freed_memory(void) {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}

NAPI_MODULE_INIT() {
  static int once = 0;
  if (!once) {
    once = 1;
    keep_freed_memory();
    k_blas_init();
  }
  static const struct { const char *name; napi_callback fn; } methods[] = {
    { "gemm", js_gemm }, { "gemmRows", js_gemm_rows }, { "packW16", js_pack_w16 }, { "gemmRowsW16", js_gemm_rows_w16 }, { "alignedFloat32", js_aligned_float32 }, { "binary", js_binary }, { "unary", js_unary }, { "axpy", js_axpy },
    { "swigluFwd", js_swiglu_fwd }, { "swigluBwd", js_swiglu_bwd },
    { "rmsnormFwd", js_rmsnorm_fwd }, { "rmsnormBwd", js_rmsnorm_bwd }, { "rope", js_rope },
    { "attentionFwd", js_attention_fwd }, { "attentionBwd", js_attention_bwd },
    { "attentionFwdBf16", js_attention_fwd_bf16 }, { "attentionBwdBf16", js_attention_bwd_bf16 },
    { "softmaxFwd", js_softmax_fwd }, { "softmaxBwd", js_softmax_bwd },
    { "logSoftmaxFwd", js_log_softmax_fwd }, { "logSoftmaxBwd", js_log_softmax_bwd },
    { "logprobFwd", js_logprob_fwd }, { "logprobBwd", js_logprob_bwd },
    { "embeddingFwd", js_embedding_fwd }, { "embeddingBwd", js_embedding_bwd },
    { "sumSquares", js_sum_squares }, { "expShift", js_exp_shift }, { "sampleBuckets", js_sample_buckets }, { "sampleRowsPrep", js_sample_rows_prep }, { "argmax", js_argmax }, { "attentionDecode", js_attention_decode }, { "attentionDecodeBf16", js_attention_decode_bf16 }, { "cdfIndex", js_cdf_index }, { "bucketIds", js_bucket_ids }, { "adamw", js_adamw }, { "setThreads", js_set_threads },
  };
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
    napi_value f;
    napi_create_function(env, methods[i].name, NAPI_AUTO_LENGTH, methods[i].fn, NULL, &f);
    napi_set_named_property(env, exports, methods[i].name, f);
  }
  register_bf16(env, exports);
  return exports;
}
