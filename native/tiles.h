/* Register-blocked float tiles for attention at small head sizes (where BLAS calls cost more than the
 * arithmetic), written with GCC/Clang vector extensions so they compile to AVX/AVX-512 or NEON as the flags allow.
 * Layouts are padded scratch copies: head dim hp (multiple of 8), keys np (multiple of 16), rows multiple of 4. */
#ifndef R1_TILES_H
#define R1_TILES_H
#include <stddef.h>
#include <string.h>

typedef float v8 __attribute__((vector_size(32)));

static inline v8 ld8(const float *p) { v8 v; memcpy(&v, p, sizeof v); return v; }
static inline void st8(float *p, v8 v) { memcpy(p, &v, sizeof v); }
static inline v8 bc8(float x) { return (v8){ x, x, x, x, x, x, x, x }; }

/* C[r][j] = alpha * sum_d A[r][d] * Bt[d][j] for rows [0, rows) (multiple of 4) and j < jlim[r/4] (multiple of 16);
 * C[r][j] = 0 for jlim[r/4] <= j < np. A (rows, hp), Bt (hp, np), C (rows, np). */
static void tile_scores(const float *A, const float *Bt, float *C, size_t rows, size_t hp, size_t np,
                        const size_t *jlim, float alpha) {
  for (size_t r = 0; r < rows; r += 4) {
    const float *a0 = A + r * hp, *a1 = a0 + hp, *a2 = a1 + hp, *a3 = a2 + hp;
    size_t lim = jlim[r / 4];
    for (size_t j = 0; j < lim; j += 16) {
      v8 c00 = bc8(0), c01 = bc8(0), c10 = bc8(0), c11 = bc8(0), c20 = bc8(0), c21 = bc8(0), c30 = bc8(0), c31 = bc8(0);
      for (size_t d = 0; d < hp; d++) {
        v8 b0 = ld8(Bt + d * np + j), b1 = ld8(Bt + d * np + j + 8);
        v8 x0 = bc8(a0[d]), x1 = bc8(a1[d]), x2 = bc8(a2[d]), x3 = bc8(a3[d]);
        c00 += x0 * b0; c01 += x0 * b1; c10 += x1 * b0; c11 += x1 * b1;
        c20 += x2 * b0; c21 += x2 * b1; c30 += x3 * b0; c31 += x3 * b1;
      }
      v8 al = bc8(alpha);
      st8(C + r * np + j, c00 * al); st8(C + r * np + j + 8, c01 * al);
      st8(C + (r + 1) * np + j, c10 * al); st8(C + (r + 1) * np + j + 8, c11 * al);
      st8(C + (r + 2) * np + j, c20 * al); st8(C + (r + 2) * np + j + 8, c21 * al);
      st8(C + (r + 3) * np + j, c30 * al); st8(C + (r + 3) * np + j + 8, c31 * al);
    }
    for (size_t q = 0; q < 4; q++) memset(C + (r + q) * np + lim, 0, (np - lim) * sizeof(float));
  }
}

/* O[r][d] = sum_{j < jmax[r/4]} W[r][j] * X[j][d]: W (rows, np), X (np, hp), O (rows, hp); rows multiple of 4. */
static void tile_wx(const float *W, const float *X, float *O, size_t rows, size_t hp, size_t np, const size_t *jmax) {
  for (size_t r = 0; r < rows; r += 4) {
    const float *w0 = W + r * np, *w1 = w0 + np, *w2 = w1 + np, *w3 = w2 + np;
    size_t m = jmax[r / 4];
    size_t d = 0;
    for (; d + 32 <= hp; d += 32) {
      v8 a[4][4] = { { { 0 } } };
      for (size_t j = 0; j < m; j++) {
        const float *x = X + j * hp + d;
        v8 x0 = ld8(x), x1 = ld8(x + 8), x2 = ld8(x + 16), x3 = ld8(x + 24);
        v8 s0 = bc8(w0[j]), s1 = bc8(w1[j]), s2 = bc8(w2[j]), s3 = bc8(w3[j]);
        a[0][0] += s0 * x0; a[0][1] += s0 * x1; a[0][2] += s0 * x2; a[0][3] += s0 * x3;
        a[1][0] += s1 * x0; a[1][1] += s1 * x1; a[1][2] += s1 * x2; a[1][3] += s1 * x3;
        a[2][0] += s2 * x0; a[2][1] += s2 * x1; a[2][2] += s2 * x2; a[2][3] += s2 * x3;
        a[3][0] += s3 * x0; a[3][1] += s3 * x1; a[3][2] += s3 * x2; a[3][3] += s3 * x3;
      }
      for (size_t q = 0; q < 4; q++)
        for (size_t c = 0; c < 4; c++) st8(O + (r + q) * hp + d + 8 * c, a[q][c]);
    }
    for (; d < hp; d += 8) {
      v8 a0 = bc8(0), a1 = bc8(0), a2 = bc8(0), a3 = bc8(0);
      for (size_t j = 0; j < m; j++) {
        v8 x = ld8(X + j * hp + d);
        a0 += bc8(w0[j]) * x; a1 += bc8(w1[j]) * x; a2 += bc8(w2[j]) * x; a3 += bc8(w3[j]) * x;
      }
      st8(O + r * hp + d, a0); st8(O + (r + 1) * hp + d, a1);
      st8(O + (r + 2) * hp + d, a2); st8(O + (r + 3) * hp + d, a3);
    }
  }
}

/* Acc[j][d] += sum_r W[r][j] * X[r][d] for keys j < n: W (rows, np), X (rows, hp), Acc (np, hp).
 * Row r is skipped for keys j >= m[r] (its W entries are zero there). */
static void tile_wtx(const float *W, const float *X, float *Acc, size_t rows, size_t hp, size_t np, size_t n, const size_t *m) {
  for (size_t j = 0; j < n; j += 4) {
    size_t d = 0;
    for (; d + 32 <= hp; d += 32) {
      v8 a[4][4] = { { { 0 } } };
      for (size_t r = 0; r < rows; r++) {
        if (m[r] <= j) continue;
        const float *w = W + r * np + j, *x = X + r * hp + d;
        v8 x0 = ld8(x), x1 = ld8(x + 8), x2 = ld8(x + 16), x3 = ld8(x + 24);
        for (size_t q = 0; q < 4; q++) {
          v8 s = bc8(w[q]);
          a[q][0] += s * x0; a[q][1] += s * x1; a[q][2] += s * x2; a[q][3] += s * x3;
        }
      }
      for (size_t q = 0; q < 4; q++)
        for (size_t c = 0; c < 4; c++) {
          float *acc = Acc + (j + q) * hp + d + 8 * c;
          st8(acc, ld8(acc) + a[q][c]);
        }
    }
    for (; d < hp; d += 8) {
      v8 a[4] = { 0 };
      for (size_t r = 0; r < rows; r++) {
        if (m[r] <= j) continue;
        const float *w = W + r * np + j;
        v8 x = ld8(X + r * hp + d);
        for (size_t q = 0; q < 4; q++) a[q] += bc8(w[q]) * x;
      }
      for (size_t q = 0; q < 4; q++) {
        float *acc = Acc + (j + q) * hp + d;
        st8(acc, ld8(acc) + a[q]);
      }
    }
  }
}
#endif
