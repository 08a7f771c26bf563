/* The N-API face of the BF16 kernels (bf16.c): gemmBf16 (gemm's arguments and checks), bf16Mode, packBf16 /
 * gemmBf16Packed (weights packed once, e.g. for sampling) and roundBf16. Validation only; no compute here.
 * Method names and argument orders are those of the Kernels interface (src/tensor/kernels/types.ts). */
#include <string.h>
#include "kern.h"
#include "napi_args.h"

static napi_value js_gemm_bf16(napi_env env, napi_callback_info info) {
  Args A;
  GemmArgs g;
  if (!args(&A, env, info, "gemmBf16", 14) || !gemm_args(&A, &g)) return NULL;
  if (k_gemm_bf16(g.a, g.b, g.c, g.batch, g.M, g.N, g.K, g.ta, g.tb, g.alpha, g.beta, g.sA, g.sB, g.sC) != 0) fail(&A, "out of memory for the packed operands (M=%zu N=%zu K=%zu)", g.M, g.N, g.K);
  return A.err ? NULL : undef(env);
}

static napi_value js_bf16_mode(napi_env env, napi_callback_info info) {
  (void)info;
  int m = k_bf16_mode();
  napi_value r;
  napi_create_string_utf8(env, m == BF16_AMX ? "amx" : m == BF16_AVX512 ? "avx512bf16" : "none", NAPI_AUTO_LENGTH, &r);
  return r;
}

/* packBf16(b, K, N, transB) → Uint16Array (a new buffer in the kernels' own layout) */
static napi_value js_pack_bf16(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "packBf16", 4)) return NULL;
  size_t lb;
  float *b = f32(&A, 0, "b", &lb);
  size_t K = dim(&A, 1, "K"), N = dim(&A, 2, "N");
  int tb = flag(&A, 3);
  need(&A, "b", lb, (double)K * N);
  if (!A.err && (double)k_bf16_packed_len(K, N) > 4e9) fail(&A, "K=%zu N=%zu is too large to pack", K, N);
  if (A.err) return NULL;
  size_t len = k_bf16_packed_len(K, N);
  void *data = NULL;
  napi_value ab, out;
  if (napi_create_arraybuffer(env, len * 2, &data, &ab) != napi_ok) { fail(&A, "could not allocate %zu bytes", len * 2); return NULL; }
  if (len > 0) k_bf16_pack_b(b, data, K, N, tb);
  napi_create_typedarray(env, napi_uint16_array, len, ab, 0, &out);
  return out;
}

/* gemmBf16Packed(a, packed, c, M, N, K, alpha, beta): C (M, N) = alpha * A (M, K) @ B + beta * C */
static napi_value js_gemm_bf16_packed(napi_env env, napi_callback_info info) {
  Args A;
  PackedArgs g;
  if (!args(&A, env, info, "gemmBf16Packed", 8) || !packed_args(&A, &g, k_bf16_packed_len, "packBf16")) return NULL;
  float alpha = (float)num(&A, 6, "alpha"), beta = (float)num(&A, 7, "beta");
  if (A.err) return NULL;
  if (k_gemm_bf16_packed(g.a, g.b, g.c, g.M, g.N, g.K, alpha, beta) != 0) fail(&A, "out of memory for the packed operand (M=%zu K=%zu)", g.M, g.K);
  return A.err ? NULL : undef(env);
}

static napi_value js_round_bf16(napi_env env, napi_callback_info info) {
  Args A;
  if (!args(&A, env, info, "roundBf16", 3)) return NULL;
  size_t lx, lo;
  float *x = f32(&A, 0, "x", &lx), *out = f32(&A, 1, "out", &lo);
  size_t n = dim(&A, 2, "n");
  need(&A, "x", lx, (double)n);
  need(&A, "out", lo, (double)n);
  if (A.err) return NULL;
  k_round_bf16(x, out, n);
  return undef(env);
}

void register_bf16(napi_env env, napi_value exports) {
  static const struct { const char *name; napi_callback fn; } methods[] = {
    { "gemmBf16", js_gemm_bf16 }, { "bf16Mode", js_bf16_mode }, { "packBf16", js_pack_bf16 },
    { "gemmBf16Packed", js_gemm_bf16_packed }, { "roundBf16", js_round_bf16 },
  };
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
    napi_value f;
    napi_create_function(env, methods[i].name, NAPI_AUTO_LENGTH, methods[i].fn, NULL, &f);
    napi_set_named_property(env, exports, methods[i].name, f);
  }
}
