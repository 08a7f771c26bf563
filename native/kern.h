/* The compute kernels of the addon, on raw float arrays (no N-API here; addon.c validates arguments
 * before calling). Semantics are those of src/tensor/kernels/types.ts, which documents every function. */
#ifndef R1_KERN_H
#define R1_KERN_H
#include <stddef.h>
#include <stdint.h>

void k_blas_init(void);
void k_gemm(const float *a, const float *b, float *c, size_t batch, size_t M, size_t N, size_t K,
            int transA, int transB, float alpha, float beta, size_t strideA, size_t strideB, size_t strideC);
/* C (M, N) = A (M, K) @ B^T + beta * C, B (N, K): each element summed in one order whatever M (a KV-cache step) */
void k_gemm_rows(const float *a, const float *b, float *c, size_t M, size_t N, size_t K, float beta);
/* BF16 copies of weights for k_gemm_rows_w16: B (N, K) rounded to BF16 (nearest even), each row padded to w16_stride(K)
 * values with zeros and stored in groups of 32 whose 32-bit lane i holds k = i (low half) and k = 16 + i (high half) */
static inline size_t w16_stride(size_t K) { return (K + 31) / 32 * 32; }
/* where value k of a row sits in its k_pack_w16 copy */
static inline size_t w16_index(size_t k) { return (k & ~(size_t)31) + 2 * (k & 15) + ((k >> 4) & 1); }
void k_pack_w16(const float *b, uint16_t *out, size_t N, size_t K);
/* k_gemm_rows with B as k_pack_w16's BF16 copy: the products of A and the rounded weights, in FP32 */
void k_gemm_rows_w16(const float *a, const uint16_t *b, float *c, size_t M, size_t N, size_t K, float beta);

void k_binary(int op, const float *a, const float *b, float *out, size_t n, size_t bl);
void k_unary(int op, const float *x, float *out, size_t n);
void k_axpy(float alpha, const float *x, float *y, size_t n);
void k_swiglu_fwd(const float *gate, const float *up, float *out, size_t n);
void k_swiglu_bwd(const float *dout, const float *gate, const float *up, float *dgate, float *dup, size_t n);
double k_sum_squares(const float *x, size_t n);
double k_exp_shift(const float *x, double *out, size_t n, float m, float inv_t);
#define SAMPLE_BUCKETS 8192 /* 128 an octave of probability, 64 octaves */
size_t k_argmax(const float *x, size_t n);
int64_t k_cdf_index(const double *p, size_t n, double u);
size_t k_bucket_ids(const uint16_t *bucket, size_t n, uint16_t b, int64_t want, int32_t *ids);
double k_sample_buckets(const float *x, double *probs, uint16_t *bucket, double *mass, size_t n, float m, float inv_t);
/* rows 0..R of x (R, n), in parallel: arg[r] = k_argmax, m[r] = x[arg] (or -inf), sum[r] = k_sample_buckets (buckets)
 * or k_exp_shift into probs row r (n), bucket row r (n), mass row r (SAMPLE_BUCKETS); each row as those kernels do it */
void k_sample_rows_prep(const float *x, size_t R, size_t n, float inv_t, int buckets, int32_t *arg, float *m, double *sum,
                        double *probs, uint16_t *bucket, double *mass);
void k_adamw(float *p, const float *g, float *m, float *v, size_t n,
             float lr, float b1, float b2, float eps, float wd, float bc1, float bc2);
void k_embedding_fwd(const float *w, const int32_t *ids, float *out, size_t n, size_t C);
void k_embedding_bwd(const float *dout, const int32_t *ids, float *dw, size_t n, size_t C);

void k_rmsnorm_fwd(const float *x, const float *w, float *out, float *rstd, size_t rows, size_t C, float eps);
void k_rmsnorm_bwd(const float *dout, const float *x, const float *w, const float *rstd, float *dx, float *dw,
                   size_t rows, size_t C);
void k_rope(const float *x, float *out, const float *cos, const float *sin, const int32_t *pos,
            size_t B, size_t T, size_t nh, size_t hs, int inverse);
void k_softmax_fwd(const float *x, float *out, size_t rows, size_t cols);
void k_softmax_bwd(const float *dout, const float *y, float *dx, size_t rows, size_t cols);
void k_log_softmax_fwd(const float *x, float *out, size_t rows, size_t cols);
void k_log_softmax_bwd(const float *dout, const float *y, float *dx, size_t rows, size_t cols);
void k_logprob_fwd(const float *logits, const int32_t *targets, float *out, float *lse, float *entropy, size_t rows, size_t V);
void k_logprob_bwd(const float *dout, const float *logits, const int32_t *targets, const float *lse, float *dlogits,
                   size_t rows, size_t V);

/* returns 0, or -1 when scratch memory could not be allocated. bf16: the products take BF16-rounded operands
 * with FP32 accumulation (bf16.c's tiles); softmax, lse and masking stay FP32 */
int k_attention_fwd(const float *q, const float *k, const float *v, float *out, float *lse,
                    size_t B, size_t T, size_t S, size_t nh, size_t nkv, size_t hs, float scale, int causal,
                    const int32_t *kvLen, int bf16);
int k_attention_bwd(const float *dout, const float *q, const float *k, const float *v, const float *out,
                    const float *lse, float *dq, float *dk, float *dv,
                    size_t B, size_t T, size_t S, size_t nh, size_t nkv, size_t hs, float scale, int causal,
                    const int32_t *kvLen, int bf16);

/* One KV-cache decode step (one query row per batch row): q (B, nh, hs), k and v (B, S, nkv, hs) as floats, or as BF16
 * bits with attentionFwdBf16's numerics (bf16), out (B, nh, hs), lse (B, nh); row b sees keys [0, kvLen[b]). */
int k_attention_decode(const float *q, const void *k, const void *v, float *out, float *lse, size_t B, size_t S,
                       size_t nh, size_t nkv, size_t hs, float scale, const int32_t *kvLen, int bf16);

/* BF16 products with FP32 accumulation (bf16.c). Modes: what the CPU and OS allow (R1_BF16=off forces none,
 * R1_BF16=avx512bf16 skips AMX); with none, operands are rounded to BF16 and multiplied in FP32. */
enum { BF16_NONE = 0, BF16_AVX512 = 1, BF16_AMX = 2 };
int k_bf16_mode(void);
void k_round_bf16(const float *x, float *out, size_t n);
/* return 0, or -1 when scratch memory could not be allocated */
int k_gemm_bf16(const float *a, const float *b, float *c, size_t batch, size_t M, size_t N, size_t K,
                int transA, int transB, float alpha, float beta, size_t strideA, size_t strideB, size_t strideC);
/* B (K, N) (stored (N, K) when transB) → the packed BF16 layout, k_bf16_packed_len(K, N) halves */
size_t k_bf16_packed_len(size_t K, size_t N);
void k_bf16_pack_b(const float *b, uint16_t *out, size_t K, size_t N, int transB);
int k_gemm_bf16_packed(const float *a, const uint16_t *bp, float *c, size_t M, size_t N, size_t K, float alpha, float beta);
/* on the calling thread (inside a pool task): A (M, K) packed like gemm's A, B like k_bf16_pack_b; lda / ldb are
 * the FP32 sources' row strides as stored. k_bf16_mm_serial: C (M, N) (row stride ldc) = alpha * A @ B + beta * C,
 * A packed for K, B packed for kb_k >= K (the product reads a prefix of B's k); B's extra columns are not read. */
void k_bf16_pack_a_serial(const float *a, uint16_t *out, size_t M, size_t K, size_t lda, int transA);
void k_bf16_pack_b_serial(const float *b, uint16_t *out, size_t K, size_t N, size_t ldb, int transB);
void k_bf16_mm_serial(const uint16_t *ap, const uint16_t *bp, size_t kb_k, float *c, size_t M, size_t N, size_t K,
                      size_t ldc, float alpha, float beta);
#endif
