// Tensor (contiguous row-major Float32Array + shape) and the tape autograd: each op output holds a node
// (parents + a hand-written backward closure); backward() walks them in reverse topological order and frees them.
// Not a strided/view-rich array library: every tensor is contiguous; reshape is the only view. Follows micrograd/PyTorch semantics.
import { totalmem } from 'node:os';
import type { Rng } from '../util/rng.js';
import { getKernels } from './kernels/index.js';

/**
 * The capacity (floats) of a pooled buffer for n floats: n rounded up to 1, 1.25, 1.5 or 1.75 times a power of two,
 * so shapes that differ a little (length-bucketed batches, GRPO's micro-batches) share buffers, at most 25% spare.
 */
export function sizeClass(n: number): number {
  const q = 2 ** Math.floor(Math.log2(Math.max(n, 4))) / 4;
  return Math.ceil(n / q) * q;
}

/** The largest size class that fits in c floats (where a buffer the pool did not make is filed). */
function classBelow(c: number): number {
  const q = 2 ** Math.floor(Math.log2(Math.max(c, 4))) / 4;
  return Math.floor(c / q) * q;
}

/**
 * Recycled buffers, by size class: backward() returns each intermediate's grad here once its node has run,
 * zeroGrad() the parameters' grads, and tidy() the op outputs of its scope; the next step takes them instead of
 * allocating (fresh large Float32Arrays cost page faults and external-memory GCs). take(n) hands out an n-float view
 * at the start of a buffer of sizeClass(n) floats. Holds at most maxBytes: when a buffer would overflow it, the
 * classes used least recently are evicted first, so a run whose shapes change keeps its current shapes' buffers.
 */
export class BufferPool {
  /** Free buffers by capacity in floats; the Map's order is least recently used first. */
  private free = new Map<number, ArrayBuffer[]>();
  private pooled = new Set<ArrayBufferLike>();
  /** The view take() last handed out of each buffer it made: the one that may come back. */
  private views = new WeakMap<ArrayBufferLike, Float32Array>();
  private bytes = 0;
  constructor(readonly maxBytes: number) {}

  /** A buffer of length n; zero = it must read as zeros (otherwise the caller overwrites every element). */
  take(n: number, zero: boolean): Float32Array {
    if (n < 1024) return new Float32Array(n);
    const cap = sizeClass(n);
    const list = this.free.get(cap);
    const ab = list?.pop();
    let view: Float32Array;
    if (ab === undefined) {
      view = new Float32Array(new ArrayBuffer(cap * 4), 0, n); // fresh memory reads as zeros
    } else {
      this.free.delete(cap); // most recently used now
      if (list!.length > 0) this.free.set(cap, list!);
      this.pooled.delete(ab);
      this.bytes -= ab.byteLength;
      view = new Float32Array(ab, 0, n);
      if (zero) view.fill(0);
    }
    this.views.set(view.buffer, view);
    return view;
  }

  /**
   * Hands back a buffer nobody references any more: one take() handed out, or a whole Float32Array made elsewhere
   * (small ones, other views and duplicates are ignored).
   */
  give(buf: Float32Array): void {
    const ab = buf.buffer;
    if (buf.length < 1024 || buf.byteOffset !== 0 || !(ab instanceof ArrayBuffer)) return;
    if (this.views.get(ab) !== buf && ab.byteLength !== buf.byteLength) return;
    if (this.pooled.has(ab) || ab.byteLength > this.maxBytes) return;
    for (const [cap, old] of this.free) { // evict the least recently used classes until it fits
      if (this.bytes + ab.byteLength <= this.maxBytes) break;
      while (old.length > 0 && this.bytes + ab.byteLength > this.maxBytes) {
        const b = old.shift()!;
        this.pooled.delete(b);
        this.bytes -= b.byteLength;
      }
      if (old.length === 0) this.free.delete(cap);
    }
    const cap = classBelow(ab.byteLength / 4);
    const list = this.free.get(cap) ?? [];
    this.free.delete(cap);
    this.free.set(cap, list);
    list.push(ab);
    this.pooled.add(ab);
    this.bytes += ab.byteLength;
  }

  clear(): void {
    this.free.clear();
    this.pooled.clear();
    this.bytes = 0;
  }
}

/** The one piece of engine state: whether ops record the tape, whether NaN/Inf checks run, the buffer pool. */
export interface EngineContext {
  gradEnabled: boolean;
  /** Inside tidy(): the op-output buffers made so far, handed back to the pool when the scope ends. */
  scope: Float32Array[] | null;
  /** Scan every op's output and every gradient it produces for NaN/Inf (env R1_CHECK_NAN=1, or setCheckNan). */
  checkNan: boolean;
  pool: BufferPool;
}

/** The pool's cap: a quarter of the machine's memory, at most 4 GiB (R1_POOL_MB overrides; 0 turns reuse off). */
function poolBytes(): number {
  const fallback = Math.min(4 * 1024 ** 3, Math.floor(totalmem() / 4));
  const raw = process.env['R1_POOL_MB'];
  if (raw === undefined || raw.trim() === '') return fallback;
  const mb = Number(raw);
  if (Number.isFinite(mb) && mb >= 0) return mb * 1024 * 1024;
  process.stderr.write(`r1ts: R1_POOL_MB=${JSON.stringify(raw)} is not a number of megabytes >= 0; using the default (${Math.round(fallback / 1024 ** 2)} MB)\n`);
  return fallback;
}

export const engine: EngineContext = {
  gradEnabled: true,
  scope: null,
  checkNan: process.env['R1_CHECK_NAN'] === '1',
  pool: new BufferPool(poolBytes()),
};

/** A buffer for a gradient computed inside a backward closure (from the pool); zero when the kernel accumulates. */
export function gradBuffer(n: number, zero = false): Float32Array {
  return engine.pool.take(n, zero);
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
