// Learning-rate schedule over training progress (a fraction in [0, 1], so a run bounded by tokens or by
// wall-clock time anneals either way): linear warm-up by steps, then cosine to minLr. Plus log helpers.
// Not the optimizer (src/optim); lrAt there is the step-based schedule for runs with a known step count.

export function cosineLr(progress: number, step: number, o: { peak: number; warmupSteps: number; minLr: number }): number {
  if (step < o.warmupSteps) return (o.peak * (step + 1)) / o.warmupSteps;
  const p = Math.min(1, Math.max(0, progress));
  return o.minLr + 0.5 * (o.peak - o.minLr) * (1 + Math.cos(Math.PI * p));
}

/** 7500000 → "7.50M", 12345 → "12.3k". */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}
