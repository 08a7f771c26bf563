// Tensor (contiguous row-major Float32Array + shape) and the tape autograd: each op output holds a node
// (parents + a hand-written backward closure); backward() walks them in reverse topological order and frees them.
// Not a strided/view-rich array library: every tensor is contiguous; reshape is the only view. Follows micrograd/PyTorch semantics.
import type { Rng } from '../util/rng.js';
import { engineState, getKernels } from './kernels/index.js';

/** The tape switch, the tidy() scope, the NaN check and the buffer pool: state the kernel registry holds (kernels/index.ts). */
const engine = engineState();

/** A buffer for a gradient computed inside a backward closure (from the pool); zero when the kernel accumulates. */
export function gradBuffer(n: number, zero = false): Float32Array {
  return engine.pool.take(n, zero);
}

/** Hands a buffer nobody references any more back to the pool (an optimizer's freed gradients). */
export function recycleBuffer(buf: Float32Array): void {
  engine.pool.give(buf);
}

/**
 * The data buffer of an op's output. Outside tidy() a fresh (zeroed) Float32Array; inside, a recycled one from the
 * pool (zeroed only when zero = true: pass false only where the kernel writes every element), returned to the pool
 * when the scope ends.
 */
export function outBuffer(n: number, zero: boolean): Float32Array {
  const scope = engine.scope;
  if (scope === null || n < 1024) return new Float32Array(n);
  const buf = engine.pool.take(n, zero);
  scope.push(buf);
  return buf;
}

/**
 * Runs fn, then recycles the data of every op output made inside it (tf.tidy's contract): no tensor made inside may
 * be used after fn returns, so fn returns plain values (a loss as a number). Parameters and their grads, made
 * outside, are untouched. A training step's activations then reuse the same memory every step instead of fresh
 * allocations (page faults, and garbage collections forced by external-memory pressure). Under R1_CHECK_NAN=1 the
 * scope's buffers are filled with NaN as it ends, so a tensor kept past its scope shows up instead of silently
 * reading another step's values.
 */
export function tidy<T>(fn: () => T): T {
  const prev = engine.scope;
  const scope: Float32Array[] = [];
  engine.scope = scope;
  try {
    const out = fn();
    if (out instanceof Promise) throw new Error('tidy(): fn must be synchronous (a promise would outlive the scope)');
    return out;
  } finally {
    engine.scope = prev;
    for (const b of scope) {
      if (engine.checkNan) b.fill(NaN); // R1_CHECK_NAN=1: a tensor used after its scope reads NaN instead of reused data
      engine.pool.give(b);
    }
  }
}

/** Switches the NaN/Inf check mode; returns the previous setting. */
export function setCheckNan(on: boolean): boolean {
  const prev = engine.checkNan;
  engine.checkNan = on;
  return prev;
}

export function isGradEnabled(): boolean {
  return engine.gradEnabled;
}

/** Runs fn with the tape off: its ops record nothing and their outputs do not require grad. */
export function noGrad<T>(fn: () => T): T {
  const prev = engine.gradEnabled;
  engine.gradEnabled = false;
  try {
    return fn();
  } finally {
    engine.gradEnabled = prev;
  }
}

/** A recorded op: its inputs and the closure that turns the output's grad into input grads. */
interface Node {
  op: string;
  parents: Tensor[];
  backward: (g: Float32Array) => void;
}

/** Marks a non-leaf whose node was freed by an earlier backward(). */
const FREED: Node = { op: 'freed', parents: [], backward: () => {} };

export class Tensor {
  shape: number[];
  data: Float32Array;
  grad: Float32Array | null = null;
  requiresGrad: boolean;
  /** The op that produced this tensor (null for leaves and for tensors made without the tape). */
  node: Node | null = null;

  constructor(data: Float32Array, shape: number[], requiresGrad = false) {
    const n = numel(shape);
    if (data.length !== n) throw new Error(`Tensor: data has ${data.length} elements but shape [${shape}] needs ${n}`);
    this.data = data;
    this.shape = shape;
    this.requiresGrad = requiresGrad;
  }

  get size(): number {
    return this.data.length;
  }

  item(): number {
    if (this.data.length !== 1) throw new Error(`item(): tensor of shape [${this.shape}] has ${this.data.length} elements, not 1`);
    return this.data[0]!;
  }

  /** Same data, no tape history, no grad. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape.slice());
  }

  /**
   * Backpropagates from this scalar (or from any tensor, given its gradient `seed`: the
   * recomputed layer of activation checkpointing); grads accumulate into the .grad of leaves that require grad. Frees the tape.
   */
  backward(seed?: Float32Array): void {
    if (seed !== undefined && seed.length !== this.data.length) throw new Error(`backward(): seed has ${seed.length} elements, the tensor [${this.shape}] ${this.data.length}`);
    if (seed === undefined && this.data.length !== 1) throw new Error(`backward(): needs a scalar, got shape [${this.shape}]`);
    if (!this.requiresGrad) throw new Error('backward(): this tensor does not require grad (made under noGrad, or from inputs without requiresGrad)');
    if (this.node === FREED) throw new Error('backward(): the graph was already freed by an earlier backward()');
    const g0 = seed ?? Float32Array.of(1);
    if (this.node === null) {
      accumulateGrad(this, g0, seed === undefined);
      return;
    }
    const order = topoOrder(this);
    accumulateGrad(this, g0, seed === undefined); // a seed stays the caller's (copied)
    const check = engine.checkNan;
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i]!;
      const node = t.node!;
      const g = t.grad;
      t.node = FREED;
      t.grad = null;
      if (g === null) continue;
      node.backward(g);
      let kept = false;
      for (const p of node.parents) {
        if (p.grad === g) kept = true;
        if (check && p.grad !== null) assertFinite(p.grad, `backward of ${node.op}`, node.parents);
      }
      if (!kept) engine.pool.give(g);
    }
  }
}

/** Non-leaf tensors reachable from root through nodes, parents before children. */
function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const parents = t.node!.parents;
    if (i < parents.length) {
      top[1] = i + 1;
      const p = parents[i]!;
      if (p.requiresGrad && p.node !== null && !seen.has(p)) {
        if (p.node === FREED) throw new Error('backward(): part of the graph was already freed by an earlier backward()');
        seen.add(p);
        stack.push([p, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order;
}

/**
 * Adds g into t.grad (allocating it when absent). owned = the caller hands over g (a fresh buffer nobody
 * else holds), so it can become t.grad without a copy.
 */
export function accumulateGrad(t: Tensor, g: Float32Array, owned: boolean): void {
  if (!t.requiresGrad) return;
  if (t.grad === null) {
    if (owned) t.grad = g;
    else (t.grad = engine.pool.take(g.length, false)).set(g);
  } else {
    getKernels().axpy(1, g, t.grad, g.length);
    if (owned) engine.pool.give(g);
  }
}

/** The buffer a backward writes t's gradient into: t.grad with beta 1 (accumulate), or a fresh one with beta 0. */
export function gradTarget(t: Tensor): { buf: Float32Array; beta: number } {
  if (t.grad !== null) return { buf: t.grad, beta: 1 };
  t.grad = engine.pool.take(t.data.length, true);
  return { buf: t.grad, beta: 0 };
}

/** Whether an op over these inputs records a node. */
export function needsGrad(...xs: (Tensor | null | undefined)[]): boolean {
  if (!engine.gradEnabled) return false;
  for (const x of xs) if (x && x.requiresGrad) return true;
  return false;
}

/** Wraps an op result: checks it (NaN mode) and, when the tape is on and an input requires grad, records the node. */
export function result(op: string, data: Float32Array, shape: number[], parents: Tensor[], backward: (g: Float32Array) => void): Tensor {
  const out = new Tensor(data, shape);
  if (engine.checkNan) assertFinite(data, op, parents);
  if (needsGrad(...parents)) {
    out.requiresGrad = true;
    out.node = { op, parents, backward };
  }
  return out;
}

export function assertFinite(data: Float32Array, where: string, inputs: Tensor[]): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) {
      const shapes = inputs.map((t) => `[${t.shape}]`).join(', ');
      throw new Error(`${where}: produced ${v} at flat index ${i} (inputs of shapes ${shapes}); R1_CHECK_NAN=1 found it`);
    }
  }
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`invalid shape [${shape}]: dimensions must be non-negative integers`);
    n *= d;
  }
  return n;
}

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function tensor(data: Float32Array | number[], shape: number[], opts?: { requiresGrad?: boolean }): Tensor {
  const arr = data instanceof Float32Array ? data : Float32Array.from(data);
  return new Tensor(arr, shape.slice(), opts?.requiresGrad ?? false);
}

export function zeros(shape: number[], opts?: { requiresGrad?: boolean }): Tensor {
  return new Tensor(new Float32Array(numel(shape)), shape.slice(), opts?.requiresGrad ?? false);
}

export function ones(shape: number[], opts?: { requiresGrad?: boolean }): Tensor {
  return new Tensor(new Float32Array(numel(shape)).fill(1), shape.slice(), opts?.requiresGrad ?? false);
}

export function randn(shape: number[], rng: Rng, std = 1, opts?: { requiresGrad?: boolean }): Tensor {
  const data = new Float32Array(numel(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * std;
  return new Tensor(data, shape.slice(), opts?.requiresGrad ?? false);
}
