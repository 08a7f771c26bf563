// Argument checks for the TS kernels: array lengths against the dimensions passed, indices in range.
// A failed check throws an Error naming the kernel and the sizes (typed arrays would otherwise read
// undefined or drop writes silently). The native addon does the same checks in C (native/check.h).

function fail(kernel: string, msg: string): never {
  throw new Error(`${kernel}: ${msg}`);
}

function dims(kernel: string, d: Record<string, number>): void {
  for (const [k, v] of Object.entries(d)) {
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** 40) fail(kernel, `${k} = ${v} must be an integer in [0, 2^40)`);
  }
}

function need(kernel: string, what: string, arr: ArrayLike<number>, len: number): void {
  if (arr.length < len) fail(kernel, `${what} has length ${arr.length}, needs at least ${len}`);
}

/** Elements a batched operand spans: the last batch item's offset plus one item. */
function span(batch: number, stride: number, item: number): number {
  return batch === 0 ? 0 : (batch - 1) * stride + item;
}

export const checkArgs = {
  sizes(kernel: string, n: number, arrays: ArrayLike<number>[]): void {
    dims(kernel, { n });
    arrays.forEach((a, i) => need(kernel, `argument ${i + 1}`, a, n));
  },

  gemm(a: Float32Array, b: Float32Array, c: Float32Array, batch: number, M: number, N: number, K: number,
    strideA: number, strideB: number, strideC: number): void {
    dims('gemm', { batch, M, N, K, strideA, strideB, strideC });
    const shape = `batch=${batch} M=${M} N=${N} K=${K}`;
    if (a.length < span(batch, strideA, M * K)) fail('gemm', `A has length ${a.length}, needs ${span(batch, strideA, M * K)} (${shape}, strideA=${strideA})`);
    if (b.length < span(batch, strideB, K * N)) fail('gemm', `B has length ${b.length}, needs ${span(batch, strideB, K * N)} (${shape}, strideB=${strideB})`);
    if (c.length < span(batch, strideC, M * N)) fail('gemm', `C has length ${c.length}, needs ${span(batch, strideC, M * N)} (${shape}, strideC=${strideC})`);
    if (batch > 1 && strideC < M * N) fail('gemm', `strideC=${strideC} < M*N=${M * N}: batch outputs would overlap`);
  },

  binary(a: Float32Array, b: Float32Array, out: Float32Array, n: number): void {
    dims('binary', { n });
    need('binary', 'a', a, n);
    need('binary', 'out', out, n);
    if (n > 0 && (b.length === 0 || n % b.length !== 0)) fail('binary', `b has length ${b.length}, which does not divide n=${n} (cyclic broadcast)`);
  },

  unary(x: Float32Array, out: Float32Array, n: number): void {
    dims('unary', { n });
    need('unary', 'x', x, n);
    need('unary', 'out', out, n);
  },

  /** rowArrays hold rows*C, colArrays C, perRow rows. */
  rows(kernel: string, rows: number, C: number, rowArrays: Float32Array[], colArrays: Float32Array[] = [], perRow: Float32Array[] = []): void {
    dims(kernel, { rows, C });
    for (const a of rowArrays) need(kernel, `a (rows=${rows}, C=${C}) array`, a, rows * C);
    for (const a of colArrays) need(kernel, `a (C=${C}) weight array`, a, C);
    for (const a of perRow) need(kernel, `a per-row (rows=${rows}) array`, a, rows);
  },

  rope(x: Float32Array, out: Float32Array, cos: Float32Array, sin: Float32Array, pos: Int32Array,
    B: number, T: number, nh: number, hs: number): void {
    dims('rope', { B, T, nh, hs });
    if (hs % 2 !== 0) fail('rope', `head size ${hs} must be even`);
    const n = B * T * nh * hs, half = hs / 2;
    need('rope', `x (B=${B}, T=${T}, nh=${nh}, hs=${hs})`, x, n);
    need('rope', 'out', out, n);
    need('rope', `pos (B*T=${B * T})`, pos, B * T);
    if (sin.length < cos.length) fail('rope', `sin has length ${sin.length} < cos length ${cos.length}`);
    const maxPos = half === 0 ? 0 : Math.floor(cos.length / half);
    for (let i = 0; i < B * T; i++) {
      if (pos[i] < 0 || pos[i] >= maxPos) fail('rope', `pos[${i}] = ${pos[i]} is outside the table of ${maxPos} positions`);
    }
  },

  attention(kernel: string, qLike: Float32Array[], kvLike: Float32Array[], lse: Float32Array,
    B: number, T: number, S: number, nh: number, nkv: number, hs: number, kvLen: Int32Array | null): void {
    dims(kernel, { B, T, S, nh, nkv, hs });
    const shape = `B=${B} T=${T} S=${S} nh=${nh} nkv=${nkv} hs=${hs}`;
    if (nkv === 0 || nh % nkv !== 0) fail(kernel, `nh=${nh} must be a multiple of nkv=${nkv}`);
    if (hs === 0) fail(kernel, 'head size must be positive');
    for (const a of qLike) if (a.length < B * T * nh * hs) fail(kernel, `a (B, T, nh, hs) array has length ${a.length}, needs ${B * T * nh * hs} (${shape})`);
    for (const a of kvLike) if (a.length < B * S * nkv * hs) fail(kernel, `a (B, S, nkv, hs) array has length ${a.length}, needs ${B * S * nkv * hs} (${shape})`);
    need(kernel, `lse (B, nh, T) (${shape})`, lse, B * nh * T);
    if (kvLen) need(kernel, `kvLen (B=${B})`, kvLen, B);
  },

  logprob(kernel: string, logits: Float32Array, targets: Int32Array, perRow: Float32Array[], rows: number, V: number, dlogits?: Float32Array): void {
    dims(kernel, { rows, V });
    need(kernel, `logits (rows=${rows}, V=${V})`, logits, rows * V);
    if (dlogits) need(kernel, `dlogits (rows=${rows}, V=${V})`, dlogits, rows * V);
    need(kernel, `targets (rows=${rows})`, targets, rows);
    for (const a of perRow) need(kernel, `a per-row (rows=${rows}) array`, a, rows);
    for (let r = 0; r < rows; r++) if (targets[r] >= V) fail(kernel, `targets[${r}] = ${targets[r]} >= vocabulary size ${V}`);
  },

  embedding(kernel: string, weight: Float32Array, ids: Int32Array, rowsArr: Float32Array, n: number, C: number): void {
    dims(kernel, { n, C });
    need(kernel, `ids (n=${n})`, ids, n);
    need(kernel, `a (n=${n}, C=${C}) array`, rowsArr, n * C);
    const V = C === 0 ? 0 : Math.floor(weight.length / C);
    for (let i = 0; i < n; i++) if (ids[i] < 0 || ids[i] >= V) fail(kernel, `ids[${i}] = ${ids[i]} is outside the table of ${V} rows (C=${C})`);
  },
};
