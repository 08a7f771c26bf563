// BF16 helpers of the pure-TS kernels: round-to-nearest-even to BF16, the packed weight layout shared with the
// native addon (native/bf16.c: VNNI tiles of 16 k-pairs x 16 columns), and BF16 products emulated in FP32
// (operands rounded to BF16, FP32 accumulation: the numerics of AMX's TDPBF16PS). Not fast; a reference.
import { checkArgs as check } from './check.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The 16 bits of the BF16 nearest (ties to even) to the float whose bits are u; NaN stays a quiet NaN. The one rounding rule. */
function roundBits(u: number): number {
  if ((u & 0x7fffffff) > 0x7f800000) return ((u >>> 16) | 0x40) & 0xffff;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

/** x rounded to the nearest BF16 (ties to even), as its 16 bits. */
export function toBf16(x: number): number {
  f32[0] = x;
  return roundBits(u32[0]!);
}

export function fromBf16(h: number): number {
  u32[0] = (h << 16) >>> 0;
  return f32[0]!;
}

export function roundBf16(x: Float32Array, out: Float32Array, n: number): void {
  check.sizes('roundBf16', n, [x, out]);
  const xu = new Uint32Array(x.buffer, x.byteOffset, n), ou = new Uint32Array(out.buffer, out.byteOffset, n);
  for (let i = 0; i < n; i++) ou[i] = roundBits(xu[i]!) << 16;
}

/** out[offset + i] = the BF16 bits of x[i] rounded to nearest-even (roundBf16's rounding), i < n: a BF16 KV cache row. */
export function bf16Bits(x: Float32Array, out: Uint16Array, n: number, offset = 0): void {
  const xu = new Uint32Array(x.buffer, x.byteOffset, n);
  for (let i = 0; i < n; i++) out[offset + i] = roundBits(xu[i]!);
}

/** BF16 bits widened to FP32 (exact). */
export function widenBf16(bits: Uint16Array, n = bits.length): Float32Array {
  const out = new Float32Array(n), ou = new Uint32Array(out.buffer);
  for (let i = 0; i < n; i++) ou[i] = bits[i]! << 16;
  return out;
}

/** Halves in the packed layout of a (K, N) operand: N padded to 32, K to 32. */
export function packedLen(K: number, N: number): number {
  return Math.ceil(N / 32) * 2 * Math.ceil(K / 32) * 512;
}

/** Index of B[k][n] in the packed layout: tile (n/16, k/32), then [pair][column][k parity]. */
function packedIndex(k: number, n: number, KB: number): number {
  return ((Math.floor(n / 16) * KB + Math.floor(k / 32)) * 512) + ((Math.floor((k % 32) / 2) * 16 + (n % 16)) * 2) + (k % 2);
}

/** B (K, N), stored (N, K) when transB, packed once as BF16 (zero padding). */
export function packBf16(b: Float32Array, K: number, N: number, transB: boolean): Uint16Array {
  check.sizes('packBf16', K * N, [b]);
  const KB = Math.ceil(K / 32);
  const out = new Uint16Array(packedLen(K, N));
  for (let k = 0; k < K; k++) {
    for (let n = 0; n < N; n++) out[packedIndex(k, n, KB)] = toBf16(b[transB ? n * K + k : k * N + n]!);
  }
  return out;
}

type Gemm = (a: Float32Array, b: Float32Array, c: Float32Array, batch: number, M: number, N: number, K: number,
  transA: boolean, transB: boolean, alpha: number, beta: number, strideA: number, strideB: number, strideC: number) => void;

/** gemmBf16 on an FP32 gemm: both operands rounded to BF16 first (copies), then multiplied in FP32. */
export function emulatedGemmBf16(gemm: Gemm): Gemm {
  return (a, b, c, batch, M, N, K, transA, transB, alpha, beta, strideA, strideB, strideC) => {
    const ra = new Float32Array(a.length), rb = new Float32Array(b.length);
    roundBf16(a, ra, a.length);
    roundBf16(b, rb, b.length);
    gemm(ra, rb, c, batch, M, N, K, transA, transB, alpha, beta, strideA, strideB, strideC);
  };
}

/** C (M, N) = alpha * bf16(A) (M, K) @ packed B + beta * C, by unpacking B to FP32. */
export function emulatedGemmBf16Packed(gemm: Gemm) {
  return (a: Float32Array, packed: Uint16Array, c: Float32Array, M: number, N: number, K: number, alpha: number, beta: number): void => {
    if (packed.length !== packedLen(K, N)) {
      throw new Error(`gemmBf16Packed: packed has length ${packed.length}, but packBf16 of K=${K} N=${N} gives ${packedLen(K, N)}`);
    }
    check.sizes('gemmBf16Packed', M * K, [a]);
    const KB = Math.ceil(K / 32);
    const b = new Float32Array(K * N);
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) b[k * N + n] = fromBf16(packed[packedIndex(k, n, KB)]!);
    const ra = new Float32Array(M * K);
    roundBf16(a, ra, M * K);
    gemm(ra, b, c, 1, M, N, K, false, false, alpha, beta, 0, 0, 0);
  };
}

/** Values per row of a packW16 copy of K-wide rows: K padded to a multiple of 32. */
export function w16Stride(K: number): number {
  return Math.ceil(K / 32) * 32;
}

/** Position in a packW16 row of value k: in its group of 32, lane k % 16's low half (k % 32 < 16) or high half. */
function w16Index(k: number): number {
  return (k & ~31) + 2 * (k & 15) + ((k >> 4) & 1);
}

/** B (N, K) as gemmRowsW16's BF16 copy (native/gemm.c k_pack_w16's layout), into out when given. */
export function packW16(b: Float32Array, N: number, K: number, out?: Uint16Array): Uint16Array {
  check.sizes('packW16', N * K, [b]);
  const ld = w16Stride(K);
  if (out && out.length !== N * ld) throw new Error(`packW16: out has length ${out.length}, but packW16 of N=${N} K=${K} gives ${N * ld}`);
  const o = out ?? new Uint16Array(N * ld);
  const bu = new Uint32Array(b.buffer, b.byteOffset, N * K);
  for (let n = 0; n < N; n++) {
    o.fill(0, n * ld, (n + 1) * ld);
    for (let k = 0; k < K; k++) o[n * ld + w16Index(k)] = roundBits(bu[n * K + k]!);
  }
  return o;
}

/** The FP32 values (N, K) of a packW16 copy: the rounded weights. */
export function unpackW16(p: Uint16Array, N: number, K: number): Float32Array {
  const ld = w16Stride(K), out = new Float32Array(N * K), ou = new Uint32Array(out.buffer);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) ou[n * K + k] = p[n * ld + w16Index(k)]! << 16;
  return out;
}
