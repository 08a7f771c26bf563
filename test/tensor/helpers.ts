// Test helpers for the engine: loading the PyTorch op fixtures (test/fixtures/engine/ops.{json,bin}),
// running a fixture case through our ops, comparing tensors with a printed max abs/rel difference, and finite differences.
// Not a test file itself (no .test.ts suffix).
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import * as T from '../../src/tensor/index.js';
import { Tensor } from '../../src/tensor/index.js';

const DIR = new URL('../fixtures/engine/', import.meta.url);

interface Ref { offset: number; shape: number[] }
export interface OpCase {
  name: string;
  op: string;
  args: Record<string, unknown>;
  ints: Record<string, { shape: number[]; data: number[] }>;
  inputs: Record<string, Ref>;
  out: Ref;
  gradOut: Ref;
  grads: Record<string, Ref>;
}

export interface Fixture { cases: OpCase[]; floats: Float32Array }

export function loadOpFixtures(): Fixture {
  const index = JSON.parse(readFileSync(new URL('ops.json', DIR), 'utf8')) as { cases: OpCase[] };
  const bin = readFileSync(new URL('ops.bin', DIR));
  const floats = new Float32Array(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  return { cases: index.cases, floats };
}

export function refData(fx: Fixture, r: Ref): Float32Array {
  const n = r.shape.reduce((a, b) => a * b, 1);
  return fx.floats.slice(r.offset, r.offset + n);
}

/** Runs one fixture case's op on the given inputs (in the fixture's input order). */
export function runCase(c: OpCase, x: Record<string, Tensor>): Tensor {
  const a = c.args as Record<string, any>;
  const ints = (k: string): Int32Array => Int32Array.from(c.ints[k]!.data);
  const s = a['scalar'] as number | undefined;
  switch (c.op) {
    case 'add': return s !== undefined ? T.add(x['a']!, s) : T.add(x['a']!, x['b']!);
    case 'sub': return T.sub(x['a']!, x['b']!);
    case 'mul': return s !== undefined ? T.mul(x['a']!, s) : T.mul(x['a']!, x['b']!);
    case 'div': return T.div(x['a']!, x['b']!);
    case 'minimum': return T.minimum(x['a']!, x['b']!);
    case 'maximum': return T.maximum(x['a']!, x['b']!);
    case 'neg': return T.neg(x['x']!);
    case 'exp': return T.exp(x['x']!);
    case 'log': return T.log(x['x']!);
    case 'silu': return T.silu(x['x']!);
    case 'swiglu': return T.swiglu(x['gate']!, x['up']!);
    case 'clamp': return T.clamp(x['x']!, a['lo'], a['hi']);
    case 'where': return T.where(x['cond']!, x['a']!, x['b']!);
    case 'sum': return T.sum(x['x']!, a['axis'], a['keepdim']);
    case 'mean': return T.mean(x['x']!, a['axis'], a['keepdim']);
    case 'max': return T.max(x['x']!, a['axis'], a['keepdim']);
    case 'reshape': return T.mul(T.reshape(x['x']!, a['shape']), T.tensor([0, 1, 2, 3, 4, 5], [6]));
    case 'matmul': return T.matmul(x['a']!, x['b']!, { transA: a['transA'], transB: a['transB'] });
    case 'linear': return T.linear(x['x']!, x['w']!, x['bias']);
    case 'embedding': return T.embedding(x['weight']!, ints('ids'), a['idsShape']);
    case 'rmsnorm': return T.rmsnorm(x['x']!, x['w']!, a['eps']);
    case 'rope': {
      const hs = x['x']!.shape[3]!;
      return T.rope(x['x']!, new T.RopeTable(a['maxPos'], hs, a['theta']), ints('pos'));
    }
    case 'attention': return T.attention(x['q']!, x['k']!, x['v']!, { causal: a['causal'], scale: a['scale'] });
    case 'softmax': return T.softmax(x['x']!);
    case 'logSoftmax': return T.logSoftmax(x['x']!);
    case 'logprobOfTargets': return T.logprobOfTargets(x['logits']!, ints('targets'));
    case 'crossEntropy': return T.crossEntropy(x['logits']!, ints('targets'), a['ignoreIndex']);
    default: throw new Error(`no runner for op ${c.op}`);
  }
}

/** Fresh leaf tensors for a case's inputs (all but a where-mask require grad). */
export function caseInputs(fx: Fixture, c: OpCase): Record<string, Tensor> {
  const x: Record<string, Tensor> = {};
  for (const [k, r] of Object.entries(c.inputs)) x[k] = T.tensor(refData(fx, r), r.shape, { requiresGrad: k !== 'cond' });
  return x;
}

export interface Diff { maxAbs: number; maxRel: number; worst: number }

/**
 * |got - want| <= tol * (|want| + max|want|) elementwise: a relative tolerance, floored at tol times the tensor's scale
 * (so near-zero entries of a tensor with large entries are judged at the tensor's scale). Prints the max differences.
 */
export function assertClose(label: string, got: Float32Array, want: Float32Array, tol: number, log = true): Diff {
  assert.equal(got.length, want.length, `${label}: length ${got.length} vs ${want.length}`);
  let scale = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  let maxAbs = 0, maxRel = 0, worst = 0, worstI = -1;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    maxAbs = Math.max(maxAbs, d);
    if (want[i] !== 0) maxRel = Math.max(maxRel, d / Math.abs(want[i]!));
    const r = d / (Math.abs(want[i]!) + scale);
    if (!(r <= worst)) {
      worst = r;
      worstI = i;
    }
  }
  if (log) console.log(`  ${label.padEnd(44)} max abs ${maxAbs.toExponential(2)}  max rel ${maxRel.toExponential(2)}  (scaled ${worst.toExponential(2)})`);
  assert.ok(worst <= tol, `${label}: element ${worstI} is ${got[worstI]}, expected ${want[worstI]} (scaled diff ${worst.toExponential(2)} > ${tol})`);
  return { maxAbs, maxRel, worst };
}
