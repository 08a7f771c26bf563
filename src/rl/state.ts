// Resuming a run: finding the latest complete checkpoint and trimming logs back to it. Not the files themselves:
// weights and state files (optimizer) are src/model/checkpoint.ts and src/model/state.ts.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The checkpoint folder with the highest step under runDir/checkpoints that has a trainer_state.json, or null. */
export function latestCheckpoint(runDir: string): { dir: string; step: number } | null {
  const root = join(runDir, 'checkpoints');
  if (!existsSync(root)) return null;
  let best: { dir: string; step: number } | null = null;
  for (const name of readdirSync(root)) {
    const m = /^step-(\d+)$/.exec(name);
    if (!m || !existsSync(join(root, name, 'trainer_state.json'))) continue;
    const step = Number(m[1]);
    if (!best || step > best.step) best = { dir: join(root, name), step };
  }
  return best;
}

/** Drops JSONL lines whose "step" is greater than `step` (what an interrupted run logged after its last checkpoint). */
export function trimJsonl(file: string, step: number): void {
  if (!existsSync(file)) return;
  const kept = readFileSync(file, 'utf8').split('\n').filter((l) => {
    if (!l.trim()) return false;
    try {
      return (JSON.parse(l) as { step?: number }).step! <= step;
    } catch {
      return false;
    }
  });
  writeFileSync(file, kept.map((l) => l + '\n').join(''));
}
