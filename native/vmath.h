/* Branch-free float math that GCC/Clang auto-vectorize inside loops (libm's expf does not vectorize
 * without -ffast-math): exp via Cephes' degree-6 polynomial on a range-reduced argument, ~1-2 ulp,
 * with 0 below -87.3, +inf above 88.72 and NaN passed through. Not for denormal outputs. */
#ifndef R1_VMATH_H
#define R1_VMATH_H
#include <stdint.h>
#include <string.h>
#include <math.h>
#include <stddef.h>

static inline float r1_expf(float x) {
  float xc = x < -87.3f ? -87.3f : x;
  xc = xc > 88.7f ? 88.7f : xc;
  float t = xc * 1.44269504088896341f;
  float r = rintf(t); /* round to nearest (vroundps; the 1.5*2^23 trick dies under -fassociative-math) */
  float f = xc - r * 0.693359375f;
  f = f + r * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * f + 1.3981999507e-3f;
  p = p * f + 8.3334519073e-3f;
  p = p * f + 4.1665795894e-2f;
  p = p * f + 1.6666665459e-1f;
  p = p * f + 5.0000001201e-1f;
  float y = p * f * f + f + 1.0f;
  int32_t bits = ((int32_t)r + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  y = y * scale;
  y = x < -87.3f ? 0.0f : y;
  y = x > 88.72f ? INFINITY : y;
  return x != x ? x : y;
}

/* max of x[0..n) (-inf when n = 0); eight running maxima so it vectorises without -ffinite-math-only */
static inline float r1_maxf(const float *x, size_t n) {
  float acc[8] = { -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY };
  size_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (size_t k = 0; k < 8; k++) acc[k] = x[i + k] > acc[k] ? x[i + k] : acc[k];
  for (; i < n; i++) acc[0] = x[i] > acc[0] ? x[i] : acc[0];
  float m = acc[0];
  for (size_t k = 1; k < 8; k++) m = acc[k] > m ? acc[k] : m;
  return m;
}

static inline float r1_sigmoidf(float x) { return 1.0f / (1.0f + r1_expf(-x)); }

#endif
