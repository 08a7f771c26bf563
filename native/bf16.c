/* BF16 GEMM with FP32 accumulation (PyTorch CPU autocast's matmul): FP32 operands are rounded to BF16
 * (nearest-even) while being packed, products run on AMX tiles (TDPBF16PS) or AVX512-BF16 (VDPBF16PS), and
 * C stays FP32. Not a general BF16 library: no BF16 outputs. Reference: Intel SDM vol. 1 ch. 18 (AMX). */
#include "kern.h"
#include "pool.h"
#include "bf16_scalar.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdatomic.h>

#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 11
#define R1_HAVE_X86_BF16 1
#include <immintrin.h>
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18
#define TGT __attribute__((target("avx512f,avx512bw,avx512vl,avx512bf16,amx-tile,amx-bf16")))
#else
#define R1_HAVE_X86_BF16 0
#endif

static int bf16_mode = -1; /* BF16_NONE / BF16_AVX512 / BF16_AMX once probed */

void k_round_bf16(const float *x, float *out, size_t n) {
  for (size_t i = 0; i < n; i++) out[i] = rbf(x[i]);
}

/* grow-only scratch per calling thread (fresh pages each call would cost more than the product) */
static __thread void *scratch[4];
static __thread size_t scratch_len[4];
static void *get_scratch(int which, size_t bytes) {
  if (scratch_len[which] < bytes) {
    free(scratch[which]);
    scratch[which] = NULL;
    scratch_len[which] = 0;
    if (posix_memalign(&scratch[which], 64, bytes) != 0) return NULL;
    scratch_len[which] = bytes;
  }
  return scratch[which];
}

/* ---------------------------------------------------------------- capability probe */
int k_bf16_mode(void) {
  if (bf16_mode >= 0) return bf16_mode;
  bf16_mode = BF16_NONE;
  const char *force = getenv("R1_BF16");
  if (force && (!strcmp(force, "off") || !strcmp(force, "0") || !strcmp(force, "none"))) return bf16_mode;
#if R1_HAVE_X86_BF16
  unsigned a, b, c, d;
  int avx512bf16 = 0, amx = 0;
  if (__get_cpuid_count(7, 1, &a, &b, &c, &d)) avx512bf16 = (a >> 5) & 1;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
    amx = ((d >> 24) & 1) && ((d >> 22) & 1);
    avx512bf16 = avx512bf16 && ((b >> 16) & 1) && ((b >> 30) & 1); /* avx512f, avx512bw */
  }
  if (avx512bf16) bf16_mode = BF16_AVX512;
  if (amx && !(force && !strcmp(force, "avx512bf16"))) {
    if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0) bf16_mode = BF16_AMX;
    else fprintf(stderr, "r1ts: the OS refused AMX tile permission (arch_prctl XCOMP_PERM: %s); BF16 matmuls use %s\n",
                 strerror(errno), avx512bf16 ? "AVX512-BF16" : "FP32");
  }
#endif
  return bf16_mode;
}

/* ---------------------------------------------------------------- packing (tile layout, every path)
 * A (M, K) → tiles of 16 rows x 32 k, tile (mt, kb) at ((mt * KB) + kb) * 512 halves, row-major inside.
 * B (K, N) → VNNI tiles of 16 k-pairs x 16 columns x 2, tile (nt, kb) at ((nt * KB) + kb) * 512 halves:
 * element [p][n][j] = B[kb*32 + 2p + j][nt*16 + n]. Padding (rows, columns, k) is zero. */
typedef struct {
  const float *src;
  uint16_t *dst;
  size_t rows, K, ld, KB; /* rows: M (for A) or N (for B) */
  int trans;              /* A: stored (K, M); B: stored (N, K) (k contiguous) */
} pack_job;

static void pack_a_tile(const pack_job *j, size_t mt) {
  for (size_t kb = 0; kb < j->KB; kb++) {
    uint16_t *t = j->dst + (mt * j->KB + kb) * 512;
    for (size_t r = 0; r < 16; r++) {
      size_t m = mt * 16 + r;
      for (size_t q = 0; q < 32; q++) {
        size_t k = kb * 32 + q;
        float v = (m < j->rows && k < j->K) ? (j->trans ? j->src[k * j->ld + m] : j->src[m * j->ld + k]) : 0.0f;
        t[r * 32 + q] = to_bf16(v);
      }
    }
  }
}
static void pack_b_tile(const pack_job *j, size_t nt) {
  for (size_t kb = 0; kb < j->KB; kb++) {
    uint16_t *t = j->dst + (nt * j->KB + kb) * 512;
    for (size_t p = 0; p < 16; p++)
      for (size_t n = 0; n < 16; n++)
        for (size_t q = 0; q < 2; q++) {
          size_t k = kb * 32 + 2 * p + q, col = nt * 16 + n;
          float v = (col < j->rows && k < j->K) ? (j->trans ? j->src[col * j->ld + k] : j->src[k * j->ld + col]) : 0.0f;
          t[(p * 16 + n) * 2 + q] = to_bf16(v);
        }
  }
}

#if R1_HAVE_X86_BF16
/* full tiles, vectorised: A row-major (32 k contiguous) and B stored (N, K) (k contiguous) */
TGT static void pack_a_tile_fast(const pack_job *j, size_t mt) {
  for (size_t kb = 0; kb < j->KB; kb++) {
    uint16_t *t = j->dst + (mt * j->KB + kb) * 512;
    size_t k0 = kb * 32, kn = j->K - k0 < 32 ? j->K - k0 : 32;
    __mmask16 lo = (__mmask16)(kn >= 16 ? 0xffff : (1u << kn) - 1), hi = (__mmask16)(kn <= 16 ? 0 : (1u << (kn - 16)) - 1);
    if (kn >= 32) lo = hi = 0xffff;
    for (size_t r = 0; r < 16; r++) {
      size_t m = mt * 16 + r;
      __m512i v = _mm512_setzero_si512();
      if (m < j->rows) {
        const float *s = j->src + m * j->ld + k0;
        v = (__m512i)_mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, s + 16), _mm512_maskz_loadu_ps(lo, s));
      }
      _mm512_storeu_si512((void *)(t + r * 32), v);
    }
  }
}
/* in-register transpose of a 16 x 16 matrix of 32-bit elements: r[i] (row i) becomes column i */
TGT static void transpose16(__m512i r[16]) {
  __m512i t[16];
  for (int i = 0; i < 8; i++) {
    t[2 * i] = _mm512_unpacklo_epi32(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_epi32(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; i++) {
    r[4 * i] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
    r[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
    r[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
    r[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
  }
  for (int i = 0; i < 2; i++)
    for (int k = 0; k < 4; k++) {
      t[8 * i + k] = _mm512_shuffle_i32x4(r[8 * i + k], r[8 * i + 4 + k], 0x88);
      t[8 * i + 4 + k] = _mm512_shuffle_i32x4(r[8 * i + k], r[8 * i + 4 + k], 0xdd);
    }
  for (int k = 0; k < 8; k++) {
    r[k] = _mm512_shuffle_i32x4(t[k], t[8 + k], 0x88);
    r[8 + k] = _mm512_shuffle_i32x4(t[k], t[8 + k], 0xdd);
  }
}

/* B stored (N, K) (k contiguous): each column's 32 k values are 16 pairs; the [n][pair] block is transposed in
 * registers to the tile's [pair][n] */
TGT static void pack_bt_tile_fast(const pack_job *j, size_t nt) {
  for (size_t kb = 0; kb < j->KB; kb++) {
    uint32_t *t = (uint32_t *)(j->dst + (nt * j->KB + kb) * 512);
    size_t k0 = kb * 32, kn = j->K - k0 < 32 ? j->K - k0 : 32;
    __mmask16 lo = (__mmask16)(kn >= 16 ? 0xffff : (1u << kn) - 1), hi = (__mmask16)(kn <= 16 ? 0 : (1u << (kn - 16)) - 1);
    if (kn >= 32) lo = hi = 0xffff;
    __m512i r[16];
    for (size_t n = 0; n < 16; n++) {
      size_t col = nt * 16 + n;
      r[n] = _mm512_setzero_si512();
      if (col < j->rows) {
        const float *s = j->src + col * j->ld + k0;
        r[n] = (__m512i)_mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(hi, s + 16), _mm512_maskz_loadu_ps(lo, s));
      }
    }
    transpose16(r);
    for (int p = 0; p < 16; p++) _mm512_storeu_si512((void *)(t + p * 16), r[p]);
  }
}
/* A stored (K, M) (transA): rows k, k+1 interleaved into pairs per m ([pair][m]), transposed in registers to
 * the tile's [m][pair]; one task per k block, its 32 rows read in order */
TGT static void pack_at_kblock_fast(const pack_job *j, size_t kb) {
  size_t MT = ((j->rows + 31) / 32) * 2;
  for (size_t mt = 0; mt < MT; mt++) {
    size_t m0 = mt * 16, mn = m0 >= j->rows ? 0 : j->rows - m0 < 16 ? j->rows - m0 : 16;
    __mmask16 mm = (__mmask16)(mn >= 16 ? 0xffff : (1u << mn) - 1);
    __m512i r[16];
    for (size_t p = 0; p < 16; p++) {
      size_t k = kb * 32 + 2 * p;
      __m512 e = k < j->K && mn ? _mm512_maskz_loadu_ps(mm, j->src + k * j->ld + m0) : _mm512_setzero_ps();
      __m512 o = k + 1 < j->K && mn ? _mm512_maskz_loadu_ps(mm, j->src + (k + 1) * j->ld + m0) : _mm512_setzero_ps();
      __m512i ei = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(e));
      __m512i oi = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(o));
      r[p] = _mm512_or_si512(ei, _mm512_slli_epi32(oi, 16));
    }
    transpose16(r);
    uint32_t *t = (uint32_t *)(j->dst + (mt * j->KB + kb) * 512);
    for (int m = 0; m < 16; m++) _mm512_storeu_si512((void *)(t + m * 16), r[m]);
  }
}
/* B stored (K, N): rows 2p and 2p+1 interleaved into 32-bit pairs; one task per k block (rows read in order) */
TGT static void pack_bn_row(const pack_job *j, size_t nt, size_t kb, size_t p) {
  size_t c0 = nt * 16, cn = c0 >= j->rows ? 0 : j->rows - c0 < 16 ? j->rows - c0 : 16;
  __mmask16 cm = (__mmask16)(cn >= 16 ? 0xffff : (1u << cn) - 1);
  uint32_t *t = (uint32_t *)(j->dst + (nt * j->KB + kb) * 512);
  size_t k = kb * 32 + 2 * p;
  __m512 e = k < j->K && cn ? _mm512_maskz_loadu_ps(cm, j->src + k * j->ld + c0) : _mm512_setzero_ps();
  __m512 o = k + 1 < j->K && cn ? _mm512_maskz_loadu_ps(cm, j->src + (k + 1) * j->ld + c0) : _mm512_setzero_ps();
  __m512i ei = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(e));
  __m512i oi = _mm512_cvtepu16_epi32((__m256i)_mm512_cvtneps_pbh(o));
  _mm512_storeu_si512((void *)(t + p * 16), _mm512_or_si512(ei, _mm512_slli_epi32(oi, 16)));
}
TGT static void pack_bn_kblock_fast(const pack_job *j, size_t kb) {
  size_t NT = ((j->rows + 31) / 32) * 2;
  for (size_t p = 0; p < 16; p++)
    for (size_t nt = 0; nt < NT; nt++) pack_bn_row(j, nt, kb, p);
}
#endif

static void pack_a_task(void *ctx, size_t mt) {
  const pack_job *j = ctx;
#if R1_HAVE_X86_BF16
  if (!j->trans && bf16_mode != BF16_NONE) { pack_a_tile_fast(j, mt); return; }
#endif
  pack_a_tile(j, mt);
}
static void pack_b_task(void *ctx, size_t nt) {
  const pack_job *j = ctx;
#if R1_HAVE_X86_BF16
  if (bf16_mode != BF16_NONE && j->trans) { pack_bt_tile_fast(j, nt); return; }
#endif
  pack_b_tile(j, nt);
}

#if R1_HAVE_X86_BF16
static void pack_bn_task(void *ctx, size_t kb) { pack_bn_kblock_fast(ctx, kb); }
static void pack_at_task(void *ctx, size_t kb) { pack_at_kblock_fast(ctx, kb); }
#endif

size_t k_bf16_packed_len(size_t K, size_t N) { return ((N + 31) / 32) * 2 * ((K + 31) / 32) * 512; }

static void run_tasks(pool_task_fn fn, void *ctx, size_t n, double work) {
  if (n > 1 && pool_threads() > 1 && work >= 1e5) pool_run(fn, ctx, n);
  else for (size_t i = 0; i < n; i++) fn(ctx, i);
}

void k_bf16_pack_b(const float *b, uint16_t *out, size_t K, size_t N, int transB) {
  k_bf16_mode();
  size_t KB = (K + 31) / 32, NT = ((N + 31) / 32) * 2;
  pack_job j = { b, out, N, K, transB ? K : N, KB, transB };
#if R1_HAVE_X86_BF16
  if (bf16_mode != BF16_NONE && !transB) { run_tasks(pack_bn_task, &j, KB, (double)K * N); return; }
#endif
  run_tasks(pack_b_task, &j, NT, (double)K * N);
}

/* ---------------------------------------------------------------- compute: 32 x 32 blocks of C */
typedef struct {
  const uint16_t *ap, *bp;
  float *c;
  size_t M, N, KB, ldc, MB2, NB2; /* MB2 / NB2: 32-row / 32-column blocks */
  size_t mchunk, nchunk, tn;      /* task grid: chunks of blocks */
  float alpha, beta;
  size_t kbb;                     /* k blocks B was packed with (>= KB: a product over a prefix of B's K) */
} mm_job;

static void store_block(const mm_job *j, const float *acc, size_t m0, size_t n0) {
  size_t mr = j->M - m0 < 32 ? j->M - m0 : 32, nr = j->N - n0 < 32 ? j->N - n0 : 32;
  for (size_t i = 0; i < mr; i++) {
    float *c = j->c + (m0 + i) * j->ldc + n0;
    const float *s = acc + i * 32;
    if (j->beta == 0.0f) for (size_t x = 0; x < nr; x++) c[x] = j->alpha * s[x];
    else for (size_t x = 0; x < nr; x++) c[x] = j->alpha * s[x] + j->beta * c[x];
  }
}

#if R1_HAVE_X86_BF16
typedef struct {
  uint8_t palette, start_row, reserved[14];
  uint16_t colsb[16];
  uint8_t rows[16];
} tilecfg;

TGT static void amx_config(void) {
  static __thread int done = 0;
  if (done) return;
  tilecfg cfg;
  memset(&cfg, 0, sizeof cfg);
  cfg.palette = 1;
  for (int t = 0; t < 8; t++) { cfg.colsb[t] = 64; cfg.rows[t] = 16; }
  _tile_loadconfig(&cfg);
  done = 1;
}

/* C blocks [mb0, mb1) x [nb0, nb1) from A tiles at ap (its first 32-row block is amb) and j's packed B.
 * K is walked in chunks of AMX_KC tiles so the B pair (2 x AMX_KC KB) stays in L1 while A rows stream from L2;
 * partial sums of C wait in a per-thread FP32 buffer between chunks */
#ifndef AMX_KC
#define AMX_KC 8
#endif
TGT static void amx_blocks(const mm_job *j, const uint16_t *ap, size_t amb, size_t mb0, size_t mb1, size_t nb0, size_t nb1) {
  amx_config();
  float acc[32 * 32] __attribute__((aligned(64)));
  size_t KB = j->KB, nblocks = (mb1 - mb0) * (nb1 - nb0);
  float *part = KB > AMX_KC ? get_scratch(2, nblocks * 1024 * sizeof(float)) : NULL;
  size_t kstep = part ? AMX_KC : KB;
  for (size_t kc0 = 0; kc0 < KB; kc0 += kstep) {
    size_t kc1 = kc0 + kstep < KB ? kc0 + kstep : KB;
    for (size_t nb = nb0; nb < nb1; nb++) {
      const uint16_t *b0 = j->bp + (2 * nb) * j->kbb * 512, *b1 = b0 + j->kbb * 512;
      for (size_t mb = mb0; mb < mb1; mb++) {
        const uint16_t *a0 = ap + (2 * (mb - amb)) * KB * 512, *a1 = a0 + KB * 512;
        float *pb = part ? part + ((nb - nb0) * (mb1 - mb0) + (mb - mb0)) * 1024 : NULL;
        /* a full block with alpha 1 and beta 0 or 1 accumulates in C itself (no epilogue, no partial buffer) */
        int direct = j->alpha == 1.0f && (j->beta == 0.0f || j->beta == 1.0f) && mb * 32 + 32 <= j->M && nb * 32 + 32 <= j->N;
        float *cb = j->c + mb * 32 * j->ldc + nb * 32;
        size_t cs = j->ldc * sizeof(float);
        if (direct && (kc0 > 0 || j->beta == 1.0f)) {
          _tile_loadd(0, cb, cs);
          _tile_loadd(1, cb + 16, cs);
          _tile_loadd(2, cb + 16 * j->ldc, cs);
          _tile_loadd(3, cb + 16 * j->ldc + 16, cs);
        } else if (kc0 == 0) {
          _tile_zero(0);
          _tile_zero(1);
          _tile_zero(2);
          _tile_zero(3);
        } else {
          _tile_loadd(0, pb, 128);
          _tile_loadd(1, pb + 16, 128);
          _tile_loadd(2, pb + 16 * 32, 128);
          _tile_loadd(3, pb + 16 * 32 + 16, 128);
        }
        for (size_t kb = kc0; kb < kc1; kb++) {
          _tile_loadd(4, a0 + kb * 512, 64);
          _tile_loadd(6, b0 + kb * 512, 64);
          _tile_loadd(5, a1 + kb * 512, 64);
          _tile_loadd(7, b1 + kb * 512, 64);
          _tile_dpbf16ps(0, 4, 6);
          _tile_dpbf16ps(1, 4, 7);
          _tile_dpbf16ps(2, 5, 6);
          _tile_dpbf16ps(3, 5, 7);
        }
        if (direct) {
          _tile_stored(0, cb, cs);
          _tile_stored(1, cb + 16, cs);
          _tile_stored(2, cb + 16 * j->ldc, cs);
          _tile_stored(3, cb + 16 * j->ldc + 16, cs);
          continue;
        }
        float *dst = kc1 == KB ? acc : pb;
        _tile_stored(0, dst, 128);
        _tile_stored(1, dst + 16, 128);
        _tile_stored(2, dst + 16 * 32, 128);
        _tile_stored(3, dst + 16 * 32 + 16, 128);
        if (kc1 == KB) store_block(j, acc, mb * 32, nb * 32);
      }
    }
  }
}

/* A packed inside the product: each task rounds and packs its own panel of A rows (AMX_PANEL 32-row blocks) into
 * a per-thread buffer that stays in cache, then multiplies it by B's columns [nb0, nb1); no pass over a packed copy
 * of the whole of A, no second pool dispatch */
#ifndef AMX_PANEL
#define AMX_PANEL 1
#endif
typedef struct {
  mm_job mm;
  const float *a;
  size_t K, lda;     /* A is (M, K), stored (K, M) when transA; lda its row stride as stored */
  int transA;
  size_t panels;     /* tasks run column chunk by column chunk: task = chunk * panels + panel */
  atomic_int failed; /* a task could not get its panel buffer */
} fused_job;

TGT static void amx_fused_task(void *ctx, size_t task) {
  fused_job *f = ctx;
  const mm_job *j = &f->mm;
  size_t mb0 = (task % f->panels) * j->mchunk, nb0 = (task / f->panels) * j->nchunk;
  size_t mb1 = mb0 + j->mchunk < j->MB2 ? mb0 + j->mchunk : j->MB2, nb1 = nb0 + j->nchunk < j->NB2 ? nb0 + j->nchunk : j->NB2;
  size_t m0 = mb0 * 32, rows = j->M - m0 < (mb1 - mb0) * 32 ? j->M - m0 : (mb1 - mb0) * 32;
  if (!f->a) { amx_blocks(j, j->ap, 0, mb0, mb1, nb0, nb1); return; } /* A packed up front (transA) */
  uint16_t *ap = get_scratch(3, (mb1 - mb0) * 2 * j->KB * 1024);
  if (!ap) { atomic_store(&f->failed, 1); return; }
  pack_job pj = { f->transA ? f->a + m0 : f->a + m0 * f->lda, ap, rows, f->K, f->lda, j->KB, f->transA };
  if (f->transA) for (size_t kb = 0; kb < j->KB; kb++) pack_at_kblock_fast(&pj, kb);
  else for (size_t mt = 0; mt < (mb1 - mb0) * 2; mt++) pack_a_tile_fast(&pj, mt);
  amx_blocks(j, ap, mb0, mb0, mb1, nb0, nb1);
}

/* C (M, N) = alpha * A @ B + beta * C on AMX, A rounded and packed by the tasks themselves (FP32 source, row stride
 * lda as stored), B packed for kbb k blocks. Task grid: panels of AMX_PANEL 32-row blocks by chunks of columns
 * whose packed B (2 x KB tiles per 32 columns) fits in AMX_BCHUNK bytes, so each core keeps its chunk of B in L2
 * while it sweeps the panels; at least 2 tasks a thread when the product pays for the pool. -1: out of memory. */
#ifndef AMX_BCHUNK
#define AMX_BCHUNK (1u << 20)
#endif
static int amx_fused_mm(const float *a, size_t lda, int transA, const uint16_t *bp, size_t kbb, float *c, size_t M, size_t N,
                        size_t K, size_t ldc, float alpha, float beta) {
  size_t KB = (K + 31) / 32, MB2 = (M + 31) / 32, NB2 = (N + 31) / 32;
  fused_job f = { { NULL, bp, c, M, N, KB, ldc, MB2, NB2, 1, 1, 1, alpha, beta, kbb }, a, K, lda, transA, 1, 0 };
  mm_job *j = &f.mm;
  double flops = 2.0 * M * N * K;
  if (transA && flops >= 2e6) {
    /* A stored (K, M): a task's 32-column strip of it spans K rows a page or more apart (a TLB miss a row), so A is
     * packed first, k block by k block (rows read in order, in parallel), and the tasks read their panels packed */
    uint16_t *ap = get_scratch(0, MB2 * 2 * KB * 512 * sizeof(uint16_t));
    if (!ap) return -1;
    pack_job pj = { a, ap, M, K, lda, KB, 1 };
    run_tasks(pack_at_task, &pj, KB, (double)M * K);
    j->ap = ap;
    f.a = NULL;
  }
  size_t want = flops < 2e6 ? 1 : 2 * (size_t)pool_threads();
  size_t fit = AMX_BCHUNK / (2 * KB * 1024);
  j->mchunk = MB2 < AMX_PANEL ? MB2 : AMX_PANEL;
  j->nchunk = fit < 1 ? 1 : fit < NB2 ? fit : NB2;
  f.panels = (MB2 + j->mchunk - 1) / j->mchunk;
  while (f.panels * ((NB2 + j->nchunk - 1) / j->nchunk) < want && (j->nchunk > 1 || j->mchunk > 1)) {
    if (j->nchunk > 1) j->nchunk = (j->nchunk + 1) / 2;
    else j->mchunk = (j->mchunk + 1) / 2;
    f.panels = (MB2 + j->mchunk - 1) / j->mchunk;
  }
  j->tn = (NB2 + j->nchunk - 1) / j->nchunk;
  run_tasks(amx_fused_task, &f, f.panels * j->tn, flops < 2e6 ? 0 : flops);
  return atomic_load(&f.failed) ? -1 : 0;
}

/* AVX512-BF16: per 16-row tile, 4 rows x 2 column tiles of accumulators over the same packed layout */
TGT static void avx512_task(void *ctx, size_t task) {
  const mm_job *j = ctx;
  float acc[32 * 32] __attribute__((aligned(64)));
  size_t mb0 = (task / j->tn) * j->mchunk, nb0 = (task % j->tn) * j->nchunk;
  size_t mb1 = mb0 + j->mchunk < j->MB2 ? mb0 + j->mchunk : j->MB2, nb1 = nb0 + j->nchunk < j->NB2 ? nb0 + j->nchunk : j->NB2;
  size_t KB = j->KB;
  for (size_t nb = nb0; nb < nb1; nb++) {
    const uint16_t *b0 = j->bp + (2 * nb) * j->kbb * 512, *b1 = b0 + j->kbb * 512;
    for (size_t mb = mb0; mb < mb1; mb++) {
      if (mb * 32 >= j->M) continue;
      for (size_t r0 = 0; r0 < 32; r0 += 4) {
        if (mb * 32 + r0 >= j->M) break;
        const uint16_t *at = j->ap + (2 * mb + r0 / 16) * KB * 512 + (r0 % 16) * 32;
        __m512 c00 = _mm512_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (size_t kb = 0; kb < KB; kb++) {
          const uint32_t *ar = (const uint32_t *)(at + kb * 512);
          const __m512bh *p0 = (const __m512bh *)(b0 + kb * 512), *p1 = (const __m512bh *)(b1 + kb * 512);
          for (size_t p = 0; p < 16; p++) {
            __m512bh x0 = (__m512bh)_mm512_loadu_si512((const void *)(p0 + p)), x1 = (__m512bh)_mm512_loadu_si512((const void *)(p1 + p));
            __m512bh w0 = (__m512bh)_mm512_set1_epi32((int)ar[p]), w1 = (__m512bh)_mm512_set1_epi32((int)ar[16 + p]);
            __m512bh w2 = (__m512bh)_mm512_set1_epi32((int)ar[32 + p]), w3 = (__m512bh)_mm512_set1_epi32((int)ar[48 + p]);
            c00 = _mm512_dpbf16_ps(c00, w0, x0); c01 = _mm512_dpbf16_ps(c01, w0, x1);
            c10 = _mm512_dpbf16_ps(c10, w1, x0); c11 = _mm512_dpbf16_ps(c11, w1, x1);
            c20 = _mm512_dpbf16_ps(c20, w2, x0); c21 = _mm512_dpbf16_ps(c21, w2, x1);
            c30 = _mm512_dpbf16_ps(c30, w3, x0); c31 = _mm512_dpbf16_ps(c31, w3, x1);
          }
        }
        float *o = acc + r0 * 32;
        _mm512_store_ps(o, c00); _mm512_store_ps(o + 16, c01);
        _mm512_store_ps(o + 32, c10); _mm512_store_ps(o + 48, c11);
        _mm512_store_ps(o + 64, c20); _mm512_store_ps(o + 80, c21);
        _mm512_store_ps(o + 96, c30); _mm512_store_ps(o + 112, c31);
      }
      store_block(j, acc, mb * 32, nb * 32);
    }
  }
}
#endif

/* C (M, N) = alpha * A @ B + beta * C from packed A (tile layout, rows padded to 32) and packed B, on AVX512-BF16
 * (AMX products pack A inside their tasks: amx_fused_mm) */
static void bf16_mm(const uint16_t *ap, const uint16_t *bp, float *c, size_t M, size_t N, size_t K, size_t ldc,
                    float alpha, float beta) {
  mm_job j = { ap, bp, c, M, N, (K + 31) / 32, ldc, (M + 31) / 32, (N + 31) / 32, 1, 1, 1, alpha, beta, (K + 31) / 32 };
  size_t threads = (size_t)pool_threads();
  double flops = 2.0 * M * N * K;
  /* task grid: chunks of about 4 x 8 blocks (128 rows x 256 columns), at least 2 tasks a thread when it pays */
  j.mchunk = j.MB2 < 4 ? j.MB2 : 4;
  j.nchunk = j.NB2 < 8 ? j.NB2 : 8;
  size_t want = flops < 2e6 ? 1 : 2 * threads;
  while ((j.MB2 + j.mchunk - 1) / j.mchunk * ((j.NB2 + j.nchunk - 1) / j.nchunk) < want && (j.mchunk > 1 || j.nchunk > 1)) {
    if (j.nchunk >= j.mchunk && j.nchunk > 1) j.nchunk = (j.nchunk + 1) / 2;
    else j.mchunk = (j.mchunk + 1) / 2;
  }
  j.tn = (j.NB2 + j.nchunk - 1) / j.nchunk;
  size_t tasks = ((j.MB2 + j.mchunk - 1) / j.mchunk) * j.tn;
#if R1_HAVE_X86_BF16
  run_tasks(avx512_task, &j, tasks, flops < 2e6 ? 0 : flops);
#else
  (void)tasks;
#endif
}

/* ---------------------------------------------------------------- on the calling thread
 * For kernels that run inside a pool task (attention.c's per-head tasks; pool_run does not nest): pack A or B
 * from a strided FP32 source (lda / ldb: row stride as stored), and C = alpha * A @ B + beta * C with B packed
 * for kb_k >= K rows of k (a product over a prefix of B's k). Without BF16 instructions: scalar, exact products. */
void k_bf16_pack_a_serial(const float *a, uint16_t *out, size_t M, size_t K, size_t lda, int transA) {
  pack_job j = { a, out, M, K, lda, (K + 31) / 32, transA };
#if R1_HAVE_X86_BF16
  if (transA && k_bf16_mode() != BF16_NONE) { for (size_t kb = 0; kb < j.KB; kb++) pack_at_kblock_fast(&j, kb); return; }
#endif
  for (size_t mt = 0; mt < ((M + 31) / 32) * 2; mt++) pack_a_task(&j, mt);
}

void k_bf16_pack_b_serial(const float *b, uint16_t *out, size_t K, size_t N, size_t ldb, int transB) {
  pack_job j = { b, out, N, K, ldb, (K + 31) / 32, transB };
#if R1_HAVE_X86_BF16
  if (!transB && k_bf16_mode() != BF16_NONE) { for (size_t kb = 0; kb < j.KB; kb++) pack_bn_kblock_fast(&j, kb); return; }
#endif
  for (size_t nt = 0; nt < ((N + 31) / 32) * 2; nt++) pack_b_task(&j, nt);
}

static void scalar_mm(const mm_job *j) {
  float acc[32 * 32];
  for (size_t mb = 0; mb < j->MB2; mb++)
    for (size_t nb = 0; nb < j->NB2; nb++) {
      for (size_t r = 0; r < 32; r++)
        for (size_t x = 0; x < 32; x++) {
          const uint16_t *a = j->ap + (2 * mb + r / 16) * j->KB * 512 + (r % 16) * 32;
          const uint16_t *bt = j->bp + (2 * nb + x / 16) * j->kbb * 512 + (x % 16) * 2;
          float s = 0.0f;
          for (size_t kb = 0; kb < j->KB; kb++)
            for (size_t q = 0; q < 32; q++) s += from_bf16(a[kb * 512 + q]) * from_bf16(bt[kb * 512 + (q / 2) * 32 + q % 2]);
          acc[r * 32 + x] = s;
        }
      store_block(j, acc, mb * 32, nb * 32);
    }
}

void k_bf16_mm_serial(const uint16_t *ap, const uint16_t *bp, size_t kb_k, float *c, size_t M, size_t N, size_t K,
                      size_t ldc, float alpha, float beta) {
  if (M == 0 || N == 0) return;
  mm_job j = { ap, bp, c, M, N, (K + 31) / 32, ldc, (M + 31) / 32, (N + 31) / 32, 0, 0, 1, alpha, beta, (kb_k + 31) / 32 };
  j.mchunk = j.MB2;
  j.nchunk = j.NB2;
#if R1_HAVE_X86_BF16
  int mode = k_bf16_mode();
  if (mode == BF16_AMX) { amx_blocks(&j, ap, 0, 0, j.MB2, 0, j.NB2); return; }
  if (mode == BF16_AVX512) { avx512_task(&j, 0); return; }
#endif
  scalar_mm(&j);
}

/* the FP32 emulation (no BF16 instructions): operands rounded to BF16, products in FP32 sgemm */
static int emulate(const float *a, const float *b, float *c, size_t batch, size_t M, size_t N, size_t K, int ta, int tb,
                   float alpha, float beta, size_t sA, size_t sB, size_t sC) {
  size_t la = batch ? (batch - 1) * sA + M * K : 0, lb = batch ? (batch - 1) * sB + K * N : 0;
  float *ra = get_scratch(0, (la + 1) * sizeof(float)), *rb = get_scratch(1, (lb + 1) * sizeof(float));
  if (!ra || !rb) return -1;
  k_round_bf16(a, ra, la);
  k_round_bf16(b, rb, lb);
  k_gemm(ra, rb, c, batch, M, N, K, ta, tb, alpha, beta, sA, sB, sC);
  return 0;
}

int k_gemm_bf16(const float *a, const float *b, float *c, size_t batch, size_t M, size_t N, size_t K,
                int transA, int transB, float alpha, float beta, size_t strideA, size_t strideB, size_t strideC) {
  if (batch == 0 || M == 0 || N == 0) return 0;
  if (k_bf16_mode() == BF16_NONE || K == 0 || alpha == 0.0f)
    return emulate(a, b, c, batch, M, N, K, transA, transB, alpha, beta, strideA, strideB, strideC);
  size_t KB = (K + 31) / 32, alen = ((M + 31) / 32) * 2 * KB * 512, blen = k_bf16_packed_len(K, N);
#if R1_HAVE_X86_BF16
  if (bf16_mode == BF16_AMX) {
    uint16_t *bp = get_scratch(1, blen * 2);
    if (!bp) return -1;
    for (size_t i = 0; i < batch; i++) {
      if (i == 0 || strideB != 0) k_bf16_pack_b(b + i * strideB, bp, K, N, transB);
      if (amx_fused_mm(a + i * strideA, transA ? M : K, transA, bp, KB, c + i * strideC, M, N, K, N, alpha, beta) != 0) return -1;
    }
    return 0;
  }
#endif
  uint16_t *ap = get_scratch(0, alen * 2), *bp = get_scratch(1, blen * 2);
  if (!ap || !bp) return -1;
  for (size_t i = 0; i < batch; i++) {
    pack_job ja = { a + i * strideA, ap, M, K, transA ? M : K, KB, transA };
    if (i == 0 || strideA != 0) {
#if R1_HAVE_X86_BF16
      if (transA) run_tasks(pack_at_task, &ja, KB, (double)M * K);
      else
#endif
        run_tasks(pack_a_task, &ja, ((M + 31) / 32) * 2, (double)M * K);
    }
    if (i == 0 || strideB != 0) k_bf16_pack_b(b + i * strideB, bp, K, N, transB);
    bf16_mm(ap, bp, c + i * strideC, M, N, K, N, alpha, beta);
  }
  return 0;
}

int k_gemm_bf16_packed(const float *a, const uint16_t *bp, float *c, size_t M, size_t N, size_t K, float alpha, float beta) {
  if (M == 0 || N == 0) return 0;
  if (K == 0 || alpha == 0.0f) {
    for (size_t i = 0; i < M * N; i++) c[i] = beta == 0.0f ? 0.0f : beta * c[i];
    return 0;
  }
  size_t KB = (K + 31) / 32, alen = ((M + 31) / 32) * 2 * KB * 512;
  if (k_bf16_mode() == BF16_NONE) { /* emulation: unpack B to FP32 (K, N), A rounded, FP32 sgemm */
    float *ra = get_scratch(0, (M * K + 1) * sizeof(float)), *rb = get_scratch(1, (K * N + 1) * sizeof(float));
    if (!ra || !rb) return -1;
    for (size_t k = 0; k < K; k++)
      for (size_t n = 0; n < N; n++)
        rb[k * N + n] = from_bf16(bp[((n / 16) * KB + k / 32) * 512 + ((k % 32) / 2 * 16 + n % 16) * 2 + k % 2]);
    k_round_bf16(a, ra, M * K);
    k_gemm(ra, rb, c, 1, M, N, K, 0, 0, alpha, beta, 0, 0, 0);
    return 0;
  }
#if R1_HAVE_X86_BF16
  if (bf16_mode == BF16_AMX) return amx_fused_mm(a, K, 0, bp, KB, c, M, N, K, N, alpha, beta);
#endif
  uint16_t *ap = get_scratch(0, alen * 2);
  if (!ap) return -1;
  pack_job ja = { a, ap, M, K, K, KB, 0 };
  run_tasks(pack_a_task, &ja, ((M + 31) / 32) * 2, (double)M * K);
  bf16_mm(ap, bp, c, M, N, K, N, alpha, beta);
  return 0;
}
