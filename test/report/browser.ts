// Test helpers for the report in a real browser: Debian's chromium driven by playwright-core (never a browser
// download), what the page drew per chart, and a tiny real GRPO run (a few steps on a tiny pretrained model).
// Not a test file itself.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { pretrainWorld } from '../../src/sft/pretrain.js';
import { loadCheckpoint } from '../../src/model/checkpoint.js';
import { resolveConfig } from '../../src/rl/config.js';
import { GrpoTrainer, writeRunConfig } from '../../src/rl/trainer.js';
import { worldTasks } from '../../src/rl/tasks.js';
import { getWorld } from '../../src/data/worlds/index.js';

export const CHROMIUM = process.env.R1_CHROMIUM ?? '/usr/bin/chromium';
/** Why the browser tests skip, or false when chromium is there. */
export const NO_BROWSER: string | false = existsSync(CHROMIUM) ? false : `${CHROMIUM} not found (apt-get install chromium, or set R1_CHROMIUM); browser test skipped`;
/** Where screenshots go (ignored by git). */
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'report');

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface DrawnChart {
  id: string;
  /** data-points: the points the chart was given. */
  points: number;
  /** Symbols and bars the browser shows in the chart's SVG. */
  drawn: number;
  /** aria-label of each drawn point ("series=held-out pass@1; x=2; y=0.5"). */
  labels: string[];
  /** Rendered size of the SVG (0 when it did not lay out). */
  width: number;
  height: number;
}

export function drawnCharts(page: Page): Promise<DrawnChart[]> {
  return page.$$eval('figure.chart', (figs) => figs.map((f) => {
    const marks = [...f.querySelectorAll('[aria-roledescription="point"], [aria-roledescription="bar"]')];
    const box = f.querySelector('svg')?.getBoundingClientRect();
    return {
      id: f.getAttribute('data-chart') ?? '', points: Number(f.getAttribute('data-points')), drawn: marks.length,
      labels: marks.map((m) => m.getAttribute('aria-label') ?? ''), width: box?.width ?? 0, height: box?.height ?? 0,
    };
  }));
}

/** "series=a; x=2; y=0.5" → { series: 'a', x: '2', y: '0.5' }. */
export function parseLabel(label: string): Record<string, string> {
  return Object.fromEntries(label.split('; ').map((kv) => { const i = kv.indexOf('='); return [kv.slice(0, i), kv.slice(i + 1)]; }));
}

/** A real, tiny, seeded GRPO run on the addition world: a 2-layer model pretrained on ~200k tokens, 4 steps, evaluations at 0, 2, 4. */
export async function tinyRun(root: string): Promise<string> {
  const base = join(root, 'base'), out = join(root, 'run');
  await pretrainWorld({
    out: base, world: 'addition', difficulty: 2, tokens: 200_000, maxSeconds: 120, batchSize: 16, learningRate: 1e-2, warmupSteps: 5, evalEvery: 1e9, seed: 3,
    model: { hidden_size: 48, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 2, num_key_value_heads: 2, max_position_embeddings: 256 },
  });
  const { model, tokenizer } = await loadCheckpoint(base);
  const cfg = resolveConfig({
    model: base, out, world: 'addition', steps: 4, promptsPerStep: 4, numGenerations: 4, maxCompletionLength: 100, temperature: 1,
    stopStrings: [], rewards: [{ name: 'accuracy', weight: 1 }, { name: 'format', weight: 0.1 }], learningRate: 1e-3,
    evalEvery: 2, evalProblems: 4, evalSamples: 2, saveEvery: 0, samplesPerStepLogged: 6, seed: 5,
  });
  writeRunConfig(cfg);
  await new GrpoTrainer(cfg, model, tokenizer, null, worldTasks(getWorld('addition'), 'compact', 5)).train();
  return out;
}
