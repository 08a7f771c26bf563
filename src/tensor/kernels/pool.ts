// The buffer pool of the tensor engine: recycled Float32Arrays by size class, least recently used evicted first, and
// its cap (R1_POOL_MB). Not who hands buffers in and out (tensor.ts: tidy(), backward, gradients) nor where the one
// pool lives (the kernel registry, index.ts).
import { totalmem } from 'node:os';

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
    const cap = this.fit(sizeClass(n));
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
   * The class a buffer for class c comes from: c itself when it has a free buffer, else the smallest class up to 2c that
   * has one (a batch whose rows are shorter than the last one's reuses its buffers instead of allocating beside them),
   * else c (a fresh buffer).
   */
  private fit(c: number): number {
    if (this.free.has(c)) return c;
    let best = c;
    for (const k of this.free.keys()) if (k > c && k <= 2 * c && (best === c || k < best)) best = k;
    return best;
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

/** The pool's cap: a quarter of the machine's memory, at most 4 GiB (R1_POOL_MB overrides; 0 turns reuse off). */
export function poolBytes(): number {
  const fallback = Math.min(4 * 1024 ** 3, Math.floor(totalmem() / 4));
  const raw = process.env['R1_POOL_MB'];
  if (raw === undefined || raw.trim() === '') return fallback;
  const mb = Number(raw);
  if (Number.isFinite(mb) && mb >= 0) return mb * 1024 * 1024;
  process.stderr.write(`r1ts: R1_POOL_MB=${JSON.stringify(raw)} is not a number of megabytes >= 0; using the default (${Math.round(fallback / 1024 ** 2)} MB)\n`);
  return fallback;
}
