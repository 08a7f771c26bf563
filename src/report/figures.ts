// Which plots a run folder gets: the paper's Figures 2 and 3 (held-out pass@1 / cons@k and mean completion
// length over steps), the GRPO diagnostics, reasoning styles and faithfulness over steps, and the bars of demo,
// eval and bench summaries — each only when its data is there, otherwise a note. Not the rendering (charts.ts).
import type { MetricRow, RunData } from './read.js';
import { downsample, MAX_POINTS, type BarPoint, type ChartDef, type LinePoint } from './charts.js';
import type { ViewSample } from './samples.js';
import { sampleSeries } from './samples.js';

export interface Figures {
  charts: ChartDef[];
  notes: string[];
  /** Train/eval keys no plot uses, with their last value (listed on the page). */
  otherKeys: { key: string; last: number }[];
}

const first = (row: Record<string, number>, keys: string[]) => keys.find((k) => Number.isFinite(row[k]));

/** A series from rows: y = row[key] (downsampled), band from loKey/hiKey when every row has them. */
function series(rows: MetricRow[], key: string, name: string, band?: [string, string]): LinePoint[] {
  const ok = rows.filter((r) => Number.isFinite(r[key]));
  const hasBand = band && ok.length > 0 && ok.every((r) => Number.isFinite(r[band[0]]) && Number.isFinite(r[band[1]]));
  const pts = downsample(ok.map((r) => r.step), ok.map((r) => r[key]!), undefined,
    hasBand ? ok.map((r) => r[band![0]]!) : undefined, hasBand ? ok.map((r) => r[band![1]]!) : undefined);
  return pts.map((p) => ({ ...p, series: name }));
}

/** A band pair for `key`: explicit min/max, p10/p90, or mean ± std. Returns rows extended with `${key}__lo/hi`. */
function withSpread(rows: MetricRow[], key: string): { rows: MetricRow[]; band?: [string, string] } {
  const pairs: [string, string][] = [[`${key}_min`, `${key}_max`], [`${key}_p10`, `${key}_p90`], [`${key}_p25`, `${key}_p75`]];
  for (const p of pairs) if (rows.some((r) => Number.isFinite(r[p[0]]))) return { rows, band: p };
  if (rows.some((r) => Number.isFinite(r[`${key}_std`]))) {
    return {
      rows: rows.map((r) => ({ ...r, [`${key}__lo`]: r[key]! - (r[`${key}_std`] ?? NaN), [`${key}__hi`]: r[key]! + (r[`${key}_std`] ?? NaN) })),
      band: [`${key}__lo`, `${key}__hi`],
    };
  }
  return { rows };
}

const STYLE_KEY = /^(?:styles?|style_share)\/([^/]+)(?:\/share)?$|^style_([a-z]+)_share$/;

/** The plots of a run, with notes for what is missing. */
export function runFigures(run: RunData, samples: ViewSample[]): Figures {
  const { train, evals } = run;
  const charts: ChartDef[] = [];
  const notes: string[] = [];
  // what a GRPO run logs and lacks is worth a note; a pretrain, SFT or reward-model folder (trainer_state.json says which) never logs it
  const note = (line: string) => { if (run.trainerKind === null) notes.push(line); };
  const used = new Set<string>(['step']);
  const use = (...keys: (string | undefined)[]) => keys.forEach((k) => k && used.add(k));
  const sampleSteps = new Set(samples.map((s) => s.step)).size;
  const line = (c: Omit<ChartDef, 'line'>, pts: LinePoint[]) => {
    const binned = train.length > MAX_POINTS || evals.length > MAX_POINTS || sampleSteps > MAX_POINTS;
    const caption = binned ? `${c.caption} Long series are drawn as means of consecutive steps (at most ${MAX_POINTS} points), the band spanning each bucket's range.` : c.caption;
    if (pts.length) charts.push({ ...c, caption, line: pts });
    return pts.length > 0;
  };

  // Figure 2: held-out pass@1 and cons@k over steps
  const e0 = evals[0] ?? {};
  const passKey = first(e0, ['pass1', 'pass@1', 'pass_at_1']);
  const consKey = Object.keys(e0).find((k) => /^cons(@?\d+|_k|_at_k)?$/.test(k));
  const k = e0.samples ?? (consKey?.match(/\d+/)?.[0] ? Number(consKey.match(/\d+/)![0]) : undefined);
  use(passKey, consKey, 'samples', 'problems', 'seconds');
  const fig2: LinePoint[] = [
    ...(passKey ? series(evals, passKey, 'held-out pass@1') : []),
    ...(consKey ? series(evals, consKey, `held-out cons@${k ?? 'k'}`) : []),
    ...series(train, 'accuracy', 'training rollouts accuracy'),
  ];
  use('accuracy');
  line({ id: 'fig2-accuracy', title: 'Accuracy over steps (Figure 2)', percent: true, yTitle: 'accuracy',
    caption: `Held-out pass@1 (mean correctness of ${k ?? 'k'} samples per problem) and cons@${k ?? 'k'} (majority vote), as in the paper's Figure 2; training-rollout accuracy for comparison.` }, fig2);
  if (!passKey) note('no held-out pass@1 in metrics.jsonl: Figure 2 shows training-rollout accuracy only');

  // Figure 3: mean completion length with its spread
  const tl = withSpread(train, 'completion_length');
  const el = withSpread(evals, 'mean_len');
  use('completion_length', 'completion_length_min', 'completion_length_max', 'completion_length_std', 'completion_tokens', 'mean_len', 'mean_len_std', 'mean_len_min', 'mean_len_max', 'mean_len_p10', 'mean_len_p90');
  if (!line({ id: 'fig3-length', title: 'Mean completion length over steps (Figure 3)', yTitle: 'tokens',
    caption: 'Mean response length of the training rollouts (band: shortest to longest of the step, or ± one standard deviation) and of the held-out samples, as in the paper\'s Figure 3.' },
  [...series(tl.rows, 'completion_length', 'training rollouts', tl.band), ...series(el.rows, 'mean_len', 'held-out samples', el.band)])) {
    note('no completion lengths logged: Figure 3 is not drawn');
  }

  // rewards
  const rewardKeys = Object.keys(train[train.length - 1] ?? {}).filter((k) => /^rewards\/[^/]+\/mean$/.test(k));
  use('reward', ...rewardKeys);
  line({ id: 'rewards', title: 'Rewards', yTitle: 'mean reward',
    caption: 'Mean total reward of the rollouts and each reward component (rule-based rewards, §2.2.2).' },
  [...series(train, 'reward', 'total'), ...rewardKeys.flatMap((k) => series(train, k, k.split('/')[1]!))]);

  use('format_rate');
  line({ id: 'format', title: 'Format rate', percent: true, yTitle: 'share',
    caption: 'Share of completions in the format the format reward checks (reasoning inside <think> … </think>, then the answer).' },
  [...series(train, 'format_rate', 'training rollouts'), ...series(evals, 'format_rate', 'held-out samples')]);

  // the loss of every trainer (pretrain, SFT, reward model, GRPO) and its held-out counterparts where logged
  use('loss', 'step_line_loss', 'held_out_loss');
  line({ id: 'loss', title: 'Loss', yTitle: 'loss',
    caption: 'Training loss of each step (next-token loss for pretraining and SFT, Bradley–Terry for a reward model, the GRPO objective for RL) and the held-out losses where the trainer logs them.' },
  [...series(train, 'loss', 'training'), ...series(evals, 'loss', 'held-out'), ...series(evals, 'step_line_loss', 'held-out step lines'),
    ...series(train, 'held_out_loss', 'held-out')]);

  const diag: [string, string, string[], string, boolean][] = [
    ['kl', 'KL to the reference model', ['kl'], 'Per-token KL estimate (the k3 estimator of eq. 2); 0 when β = 0 (no reference model).', false],
    ['entropy', 'Policy entropy', ['entropy'], 'Mean per-token entropy of the policy on its own rollouts.', false],
    ['clip', 'Clip fractions', ['clip_low', 'clip_high'], 'Share of tokens whose ratio was clipped below 1 − ε and above 1 + ε (eq. 1).', true],
    ['lr', 'Learning rate', ['lr'], 'The learning rate of the last update of each step.', false],
    ['grad-norm', 'Gradient norm', ['grad_norm'], 'The global gradient norm of each step, before clipping.', false],
    ['zero-spread', 'Groups with zero reward spread', ['zero_std_fraction', 'truncated_fraction'],
      'Share of groups whose G rewards are all equal (no learning signal), and of completions cut at the length limit.', true],
    ['throughput', 'Throughput', ['sampling_tokens_per_s', 'training_tokens_per_s'], 'Tokens per second while sampling and while training.', false],
  ];
  for (const [id, title, keys, caption, percent] of diag) {
    use(...keys);
    const pts = keys.flatMap((key) => series(train, key, key));
    if (!line({ id, title, yTitle: percent ? 'share' : keys.length === 1 ? keys[0]! : 'value', caption, percent }, pts) && train.length) {
      note(`${keys.join(' / ')} not in metrics.jsonl: "${title}" is not drawn`);
    }
  }

  // drawn only for runs that log them: staleness for rollouts on servers (issue 23); the sampler/trainer gap for runs on
  // servers and, from its first update, for local sampling (GRPO's samplingPrecision bf16 shows there)
  const remote: [string, string, string[], string, boolean][] = [
    ['staleness', 'Rollout staleness', ['rollout/staleness_mean', 'rollout/staleness_max'], 'Weight versions between the policy trained and the one that sampled each rollout (mean and max of the step).', false],
    ['offpolicy', 'Sampler and trainer', ['offpolicy/abs_logp_diff', 'offpolicy/masked_fraction', 'offpolicy/ess_fraction'], "Mean |Δ| between the trainer's and the sampler's logprob per token (local sampling: at the step's first update); with servers the share of tokens the correction masked and the effective sample size of its weights (share of tokens: 1 = all weigh the same).", false],
  ];
  for (const [id, title, keys, caption, percent] of remote) {
    if (!train.some((r) => keys[0]! in r)) continue;
    use(...keys);
    line({ id, title, yTitle: 'value', caption, percent }, keys.flatMap((key) => series(train, key, key)));
  }

  // reasoning styles and faithfulness: logged per step when the trainer writes them, else measured on the logged samples
  const bySamples = sampleSeries(samples).map(({ step, values }) => ({ step, ...values }) as MetricRow);
  const styleRows = (rows: MetricRow[]) => [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((k) => STYLE_KEY.test(k));
  const styleSrc = styleRows(train).length ? { rows: train, from: 'training rollouts' } : styleRows(evals).length ? { rows: evals, from: 'held-out samples' }
    : { rows: bySamples, from: 'the logged samples' };
  const styleKeys = styleRows(styleSrc.rows);
  use(...styleRows(train), ...styleRows(evals));
  const stylePts = styleKeys.flatMap((k) => { const m = STYLE_KEY.exec(k)!; return series(styleSrc.rows, k, m[1] ?? m[2]!); });
  if (!line({ id: 'styles', title: 'Reasoning styles over steps', percent: true, yTitle: 'share',
    caption: `Share of each style of reasoning (direct, step by step, self-checking, backtracking; "none": no style recognised), from ${styleSrc.from}.` }, stylePts)) {
    note('no styles logged and no samples to classify: "Reasoning styles" is not drawn');
  }
  const fKeys = ['unfaithful_line_rate', 'answer_unfaithful_rate', 'reflection', 'backtrack', 'verify'];
  use(...fKeys);
  const fPts: LinePoint[] = [];
  // logged per step, reflection comes from the world's own parser of the reasoning (search worlds); measured on the
  // logged samples, it is the share with reflection words
  const names: Record<string, [string, string]> = {
    unfaithful_line_rate: ['written lines that are wrong', 'written lines that are wrong'],
    answer_unfaithful_rate: ['answers not following own lines', 'answers not following own lines'],
    reflection: ['backtrack or re-check', 'reflection words'], backtrack: ['backtrack', ''], verify: ['re-check', ''],
  };
  let parsed = false;
  for (const key of fKeys) {
    const src = train.some((r) => Number.isFinite(r[key])) ? { rows: train, tag: '', logged: true } : evals.some((r) => Number.isFinite(r[key])) ? { rows: evals, tag: ' (held-out)', logged: true }
      : { rows: bySamples, tag: ' (logged samples)', logged: false };
    const name = names[key]![src.logged ? 0 : 1];
    if (!name) continue;
    const pts = series(src.rows, key, name + src.tag);
    if (src.logged && key === 'reflection' && pts.length) parsed = true;
    fPts.push(...pts);
  }
  if (!line({ id: 'faithfulness', title: 'Faithfulness and reflection over steps', percent: true, yTitle: 'share',
    caption: 'Share of written reasoning lines that are false or use numbers from nowhere, of answers that do not follow from their own lines, and ' +
      (parsed ? 'of completions that backtrack (abandon a line of work for another) or re-check a result, read by the world\'s own parser of the reasoning, not by counting "wait".'
        : 'of completions with reflection words ("wait", "let me check").') }, fPts)) {
    note('no faithfulness measures (no world to judge the samples with, and none logged): "Faithfulness" is not drawn');
  }

  // per difficulty (worlds that mix levels within a run): does RL spend more thinking where it is needed?
  const DIFF_KEY = /^difficulty\/([^/]+)\/(accuracy|completion_length|reflection)$/;
  const diffKeys = [...new Set(train.flatMap((r) => Object.keys(r)))].filter((k) => DIFF_KEY.test(k)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  use(...diffKeys);
  const byDiff: [string, string, string, boolean][] = [
    ['completion_length', 'Completion length by difficulty', 'tokens', false],
    ['accuracy', 'Accuracy by difficulty', 'accuracy', true],
    ['reflection', 'Backtracking or re-checking by difficulty', 'share', true],
  ];
  for (const [measure, title, yTitle, percent] of byDiff) {
    const keys = diffKeys.filter((k) => DIFF_KEY.exec(k)![2] === measure);
    line({ id: `difficulty-${measure.replace('_', '-')}`, title, yTitle, percent,
      caption: `${title.split(' by ')[0]} of the training rollouts at each difficulty level (difficulty mixed within every step), the per-difficulty view of Figure 3.` },
    keys.flatMap((k) => series(train, k, `difficulty ${DIFF_KEY.exec(k)![1]}`)));
  }

  charts.push(...summaryCharts(run, notes));
  const otherKeys = [...new Set([...train, ...evals].flatMap((r) => Object.keys(r)))].filter((k) => !used.has(k) && !/seconds$|null_fraction$|\/std$|^reward_std$/.test(k))
    .sort().map((key) => ({ key, last: [...train, ...evals].reverse().find((r) => Number.isFinite(r[key]))![key]! }));
  return { charts, notes, otherKeys };
}

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Side-by-side bars of the demo's before/after, an eval's pass@k curve and bench comparisons (a pipeline folder's page is pipeline.ts's). */
function summaryCharts(run: RunData, notes: string[]): ChartDef[] {
  const out: ChartDef[] = [];
  const d = run.demo as Record<string, Record<string, unknown>> | null;
  if (d?.base && d?.rl) {
    const keys = ['pass1', 'cons16', 'format_rate', 'stop_rate', 'unfaithful_line_rate', 'answer_unfaithful_rate'].filter((k) => isNum(d.base![k]) && isNum(d.rl![k]));
    const bar: BarPoint[] = keys.flatMap((k) => [{ group: k, series: 'base model', y: d.base![k] as number }, { group: k, series: 'after RL', y: d.rl![k] as number }]);
    if (bar.length) out.push({ id: 'demo-before-after', title: 'Before and after RL (demo)', percent: true, yTitle: 'share', bar,
      caption: 'The demo\'s held-out measurements of the base model and of the model after GRPO (16 samples per problem, T 0.6, top-p 0.95).' });
  }
  const pk = run.evalSummary?.pass_at_k;
  if (pk && typeof pk === 'object') {
    const entries: [number, number][] = Array.isArray(pk)
      ? pk.map((v, i) => (isNum(v) ? [i + 1, v] : v && typeof v === 'object' ? [Number((v as Record<string, unknown>).k), Number((v as Record<string, unknown>).pass ?? (v as Record<string, unknown>).value)] : [NaN, NaN]))
      : Object.entries(pk as Record<string, unknown>).map(([kk, v]) => [Number(kk.replace(/\D/g, '')), Number(v)]);
    const line = entries.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).sort((a, b) => a[0] - b[0]).map(([x, y]) => ({ x, y, series: 'pass@k' }));
    if (line.length) out.push({ id: 'eval-pass-at-k', title: 'pass@k', percent: true, yTitle: 'pass@k', xTitle: 'k', line,
      caption: 'The unbiased pass@k estimate over k (the chance that at least one of k samples is right).' });
  }
  for (const b of run.bench) {
    const bar: BarPoint[] = Object.keys(b.data).filter((k) => !k.startsWith('torch_') && isNum(b.data[k]) && isNum(b.data[`torch_${k}`]))
      .flatMap((k) => [{ group: k, series: 'r1ts', y: b.data[k] as number }, { group: k, series: 'PyTorch', y: b.data[`torch_${k}`] as number }]);
    if (bar.length) out.push({ id: `bench-${b.file.replace(/\.json$/, '').replace(/[^a-z0-9-]/gi, '-')}`, title: `Benchmark: ${b.file}`, yTitle: 'value', bar,
      caption: 'r1ts and PyTorch side by side on the same machine (each key with a torch_ counterpart).' });
    else notes.push(`${b.file} has no key with a torch_ counterpart: no side-by-side bars`);
  }
  return out;
}
