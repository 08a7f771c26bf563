/* Argument unpacking for the addon's N-API functions (shared by addon.c and addon_bf16.c): typed arrays of
 * the right kind, dimensions as integers in [0, 2^40), lengths checked in double; every failure throws one
 * JS Error naming the kernel. Static functions, included once per translation unit. */
#ifndef R1_NAPI_ARGS_H
#define R1_NAPI_ARGS_H
#include <node_api.h>
#include <stdio.h>
#include <stdint.h>
#include <math.h>

#define MAXARGS 20

typedef struct {
  napi_env env;
  const char *name;
  napi_value argv[MAXARGS];
  size_t argc;
  int err;
} Args;

static void fail(Args *A, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void fail(Args *A, const char *fmt, ...) {
  if (A->err) return;
  char msg[512];
  int k = snprintf(msg, sizeof msg, "%s: ", A->name);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg + k, sizeof msg - (size_t)k, fmt, ap);
  va_end(ap);
  napi_throw_error(A->env, NULL, msg);
  A->err = 1;
}

static int args(Args *A, napi_env env, napi_callback_info info, const char *name, size_t want) {
  A->env = env;
  A->name = name;
  A->err = 0;
  A->argc = MAXARGS;
  napi_get_cb_info(env, info, &A->argc, A->argv, NULL, NULL);
  if (A->argc < want) fail(A, "expected %zu arguments, got %zu", want, A->argc);
  return !A->err;
}

static void *typed(Args *A, size_t i, napi_typedarray_type want, const char *what, size_t *len, int nullable) {
  *len = 0;
  if (A->err) return NULL;
  napi_valuetype vt = napi_undefined;
  if (i < A->argc) napi_typeof(A->env, A->argv[i], &vt);
  if (nullable && (vt == napi_null || vt == napi_undefined)) return NULL;
  bool is = false;
  if (i < A->argc) napi_is_typedarray(A->env, A->argv[i], &is);
  napi_typedarray_type type;
  void *data = NULL;
  if (is) napi_get_typedarray_info(A->env, A->argv[i], &type, len, &data, NULL, NULL);
  if (!is || type != want) {
    fail(A, "argument %zu (%s) must be a%s", i + 1, what,
         want == napi_float32_array ? " Float32Array" : want == napi_float64_array ? " Float64Array" :
         want == napi_uint16_array ? " Uint16Array" : "n Int32Array");
    return NULL;
  }
  return data ? data : (void *)A; /* a zero-length array may have no data pointer; never dereferenced */
}

static float *f32(Args *A, size_t i, const char *what, size_t *len) { return typed(A, i, napi_float32_array, what, len, 0); }
static double *f64(Args *A, size_t i, const char *what, size_t *len) { return typed(A, i, napi_float64_array, what, len, 0); }
static int32_t *i32(Args *A, size_t i, const char *what, size_t *len, int nullable) {
  return typed(A, i, napi_int32_array, what, len, nullable);
}

static double num(Args *A, size_t i, const char *what) {
  double v = 0;
  if (A->err) return 0;
  if (napi_get_value_double(A->env, A->argv[i], &v) != napi_ok) fail(A, "argument %zu (%s) must be a number", i + 1, what);
  return v;
}

/* a dimension: an integer in [0, 2^40) */
static size_t dim(Args *A, size_t i, const char *what) {
  double v = num(A, i, what);
  if (A->err) return 0;
  if (!(v >= 0 && v < 1099511627776.0) || v != floor(v)) {
    fail(A, "%s = %g must be an integer in [0, 2^40)", what, v);
    return 0;
  }
  return (size_t)v;
}

static int flag(Args *A, size_t i) {
  bool b = false;
  if (A->err) return 0;
  napi_valuetype vt;
  napi_typeof(A->env, A->argv[i], &vt);
  if (vt == napi_boolean) napi_get_value_bool(A->env, A->argv[i], &b);
  else b = num(A, i, "flag") != 0;
  return b;
}

/* want is computed in double from the dims (each < 2^40), so a huge product can never wrap around and pass */
static void need(Args *A, const char *what, size_t have, double want) {
  if (!A->err && (double)have < want) fail(A, "%s has length %zu, needs at least %.0f", what, have, want);
}

static double span(size_t batch, size_t stride, double item) { return batch == 0 ? 0 : (double)(batch - 1) * stride + item; }

/** gemm's and gemmBf16's 14 arguments (a, b, c, batch, M, N, K, transA, transB, alpha, beta, three strides). */
typedef struct {
  float *a, *b, *c;
  size_t batch, M, N, K, sA, sB, sC;
  int ta, tb;
  float alpha, beta;
} GemmArgs;

/** Reads and checks a gemm call's arguments: every operand long enough for its strides, outputs not overlapping. 0 on a thrown error. */
static inline int gemm_args(Args *A, GemmArgs *g) {
  size_t la, lb, lc;
  g->a = f32(A, 0, "a", &la); g->b = f32(A, 1, "b", &lb); g->c = f32(A, 2, "c", &lc);
  g->batch = dim(A, 3, "batch"); g->M = dim(A, 4, "M"); g->N = dim(A, 5, "N"); g->K = dim(A, 6, "K");
  g->ta = flag(A, 7); g->tb = flag(A, 8);
  g->alpha = (float)num(A, 9, "alpha"); g->beta = (float)num(A, 10, "beta");
  g->sA = dim(A, 11, "strideA"); g->sB = dim(A, 12, "strideB"); g->sC = dim(A, 13, "strideC");
  if (A->err) return 0;
  size_t batch = g->batch, M = g->M, N = g->N, K = g->K, sA = g->sA, sB = g->sB, sC = g->sC;
  if (M > INT32_MAX || N > INT32_MAX || K > INT32_MAX) fail(A, "M=%zu N=%zu K=%zu exceed the BLAS int range", M, N, K);
  if (!A->err && (double)la < span(batch, sA, (double)M * K)) fail(A, "A has length %zu, needs %.0f (batch=%zu M=%zu N=%zu K=%zu, strideA=%zu)", la, span(batch, sA, (double)M * K), batch, M, N, K, sA);
  if (!A->err && (double)lb < span(batch, sB, (double)K * N)) fail(A, "B has length %zu, needs %.0f (batch=%zu M=%zu N=%zu K=%zu, strideB=%zu)", lb, span(batch, sB, (double)K * N), batch, M, N, K, sB);
  if (!A->err && (double)lc < span(batch, sC, (double)M * N)) fail(A, "C has length %zu, needs %.0f (batch=%zu M=%zu N=%zu K=%zu, strideC=%zu)", lc, span(batch, sC, (double)M * N), batch, M, N, K, sC);
  if (!A->err && batch > 1 && (double)sC < (double)M * N) fail(A, "strideC=%zu < M*N=%zu: batch outputs would overlap", sC, M * N);
  return !A->err;
}

/** A product with a packed uint16 B: its first six arguments (a, packed, c, M, N, K). */
typedef struct {
  float *a, *c;
  uint16_t *b;
  size_t M, N, K;
} PackedArgs;

/** Reads and checks them: A (M, K) and C (M, N) long enough, the packed B exactly packed_len(K, N) (what `packer` gives). 0 on a thrown error. */
static inline int packed_args(Args *A, PackedArgs *g, size_t (*packed_len)(size_t K, size_t N), const char *packer) {
  size_t la, lb, lc;
  g->a = f32(A, 0, "a", &la);
  g->b = typed(A, 1, napi_uint16_array, "packed", &lb, 0);
  g->c = f32(A, 2, "c", &lc);
  g->M = dim(A, 3, "M"); g->N = dim(A, 4, "N"); g->K = dim(A, 5, "K");
  need(A, "a", la, (double)g->M * g->K);
  need(A, "c", lc, (double)g->M * g->N);
  if (!A->err && lb != packed_len(g->K, g->N)) fail(A, "packed has length %zu, but %s of K=%zu N=%zu gives %zu", lb, packer, g->K, g->N, packed_len(g->K, g->N));
  return !A->err;
}

static napi_value undef(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

#endif
