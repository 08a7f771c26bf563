// Learning-rate schedules: linear warm-up, then cosine decay to minLr or a constant, as HF transformers'
// get_cosine_schedule_with_warmup / get_constant_schedule_with_warmup (0-based steps; step 0 of a warm-up is lr 0).
// Not stateful: the trainer asks for the rate of each step.

export interface LrSchedule {
  kind: 'cosine' | 'constant';
  peak: number;
  warmupSteps: number;
  totalSteps: number;
  /** The floor the cosine decays to; default 0. */
  minLr?: number;
}

export function lrAt(step: number, s: LrSchedule): number {
  if (!(s.peak >= 0) || !(s.warmupSteps >= 0) || !(s.totalSteps >= 0)) {
    throw new Error(`lrAt: peak, warmupSteps and totalSteps must be >= 0, got ${s.peak}, ${s.warmupSteps}, ${s.totalSteps}`);
  }
  if (s.kind !== 'cosine' && s.kind !== 'constant') throw new Error(`lrAt: kind must be 'cosine' or 'constant', got '${String(s.kind)}'`);
  if (step < s.warmupSteps) return (s.peak * step) / Math.max(1, s.warmupSteps);
  if (s.kind === 'constant') return s.peak;
  const minLr = s.minLr ?? 0;
  const progress = Math.min(1, (step - s.warmupSteps) / Math.max(1, s.totalSteps - s.warmupSteps));
  return minLr + (s.peak - minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
}
