/* BF16 <-> FP32 for one value, the rounding rule every native path shares (nearest, ties to even; a NaN stays a
 * quiet NaN): bf16.c's packing and emulation, attention.c's BF16 operands and its BF16 KV cache. Branch-free, so
 * loops over them vectorise. The TS kernels' twin is roundBits in src/tensor/kernels/bf16.ts. */
#ifndef R1_BF16_SCALAR_H
#define R1_BF16_SCALAR_H
#include <stdint.h>
#include <string.h>

/* x rounded to the nearest BF16, as FP32 */
static inline float rbf(float x) {
  uint32_t u;
  memcpy(&u, &x, 4);
  uint32_t r = (u & 0x7fffffffu) > 0x7f800000u ? u | 0x400000u : u + 0x7fffu + ((u >> 16) & 1u);
  r &= 0xffff0000u;
  memcpy(&x, &r, 4);
  return x;
}

/* x rounded to the nearest BF16, as its 16 bits */
static inline uint16_t to_bf16(float x) {
  float r = rbf(x);
  uint32_t u;
  memcpy(&u, &r, 4);
  return (uint16_t)(u >> 16);
}

/* BF16 bits widened to FP32 (exact) */
static inline float from_bf16(uint16_t h) {
  uint32_t u = (uint32_t)h << 16;
  float f;
  memcpy(&f, &u, 4);
  return f;
}
#endif
