// The report's plots: long-form points → a Vega-Lite spec → SVG rendered server-side by Vega (view.toSVG()),
// plus the downsampling that keeps a 10,000-step run small (bucket means with their min/max as the band).
// Not hand-drawn SVG and not the page (html.ts). Vega-Lite: https://vega.github.io/vega-lite/ ; Vega View API.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** One point of a line chart: x (a step), y, its series, and optionally a band (spread) around it. */
export interface LinePoint { x: number; y: number; series: string; lo?: number; hi?: number }
/** One bar of a grouped bar chart: bars of the same group stand side by side, one per series. */
export interface BarPoint { group: string; series: string; y: number }

export interface ChartDef {
  id: string;
  title: string;
  /** One or two sentences under the plot: what it shows, and the paper's figure when it is one. */
  caption: string;
  yTitle: string;
  xTitle?: string;
  /** y is a share in [0, 1]: axis as percentages. */
  percent?: boolean;
  line?: LinePoint[];
  bar?: BarPoint[];
}

export interface RenderedChart {
  id: string;
  title: string;
  caption: string;
  svg: string;
  /** Data points the chart was given, and how many of them are drawn as marks (symbols or bars; 0 for dense lines). */
  points: number;
  marks: number;
}

/** Series longer than this are drawn as a plain line (no symbol per point), to keep the page small. */
export const SYMBOL_LIMIT = 120;
/** The most points one series keeps: longer series become bucket means. */
export const MAX_POINTS = 400;

/**
 * Downsamples (x, y) pairs to at most `max` points: consecutive buckets of equal count, each the mean x and y
 * with the bucket's min and max (of `lo`/`hi` when given) as its band. Shorter input is returned as it is.
 */
export function downsample(xs: number[], ys: number[], max = MAX_POINTS, lo?: number[], hi?: number[]): { x: number; y: number; lo?: number; hi?: number }[] {
  const n = xs.length;
  if (n <= max) return xs.map((x, i) => ({ x, y: ys[i]!, ...(lo ? { lo: lo[i]!, hi: hi![i]! } : {}) }));
  const out: { x: number; y: number; lo: number; hi: number }[] = [];
  for (let b = 0; b < max; b++) {
    const s = Math.floor((b * n) / max), e = Math.floor(((b + 1) * n) / max);
    let sx = 0, sy = 0, mn = Infinity, mx = -Infinity;
    for (let i = s; i < e; i++) {
      sx += xs[i]!;
      sy += ys[i]!;
      mn = Math.min(mn, lo ? lo[i]! : ys[i]!);
      mx = Math.max(mx, hi ? hi[i]! : ys[i]!);
    }
    out.push({ x: sx / (e - s), y: sy / (e - s), lo: mn, hi: mx });
  }
  return out;
}

const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';
const CONFIG = { font: FONT, view: { stroke: '#ddd' }, axis: { labelFontSize: 10, titleFontSize: 11 }, legend: { labelFontSize: 10, orient: 'bottom', title: null, labelLimit: 320, columns: 2, symbolOpacity: 1 } };

function lineSpec(c: ChartDef, symbols: boolean): TopLevelSpec {
  const pts = c.line!;
  const band = pts.some((p) => p.lo !== undefined);
  const yAxis = c.percent ? { format: '.2~%' } : {};
  const layers: unknown[] = [];
  if (band) {
    layers.push({ // under the line
      mark: { type: 'area', opacity: 0.18, aria: false },
      encoding: { y: { field: 'lo', type: 'quantitative', title: c.yTitle, axis: yAxis }, y2: { field: 'hi' } },
    });
  }
  layers.push({
    mark: { type: 'line', strokeWidth: 1.6, point: symbols ? { size: 18 } : false, interpolate: 'linear' },
    encoding: {
      y: { field: 'y', type: 'quantitative', title: c.yTitle, axis: yAxis, scale: { zero: false } },
      ...(symbols ? { description: { field: 'label' } } : {}),
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 480, height: 200, background: 'white', config: CONFIG,
    data: { values: pts },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: c.xTitle ?? 'step', scale: { zero: false, nice: false } },
      color: { field: 'series', type: 'nominal', sort: null },
    },
    layer: layers,
  } as TopLevelSpec;
}

function barSpec(c: ChartDef): TopLevelSpec {
  // long group names (a pipeline's stages) are slanted so they do not run into each other
  const groups = [...new Set((c.bar ?? []).map((b) => b.group))];
  const slant = groups.length * Math.max(...groups.map((g) => g.length), 0) * 6 > 480;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 480, height: 200, background: 'white', config: CONFIG,
    data: { values: c.bar },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'group', type: 'nominal', title: c.xTitle ?? null, sort: null, axis: { labelAngle: slant ? -30 : 0, labelLimit: 200 } },
      xOffset: { field: 'series', sort: null },
      y: { field: 'y', type: 'quantitative', title: c.yTitle, axis: c.percent ? { format: '.2~%' } : {} },
      color: { field: 'series', type: 'nominal', sort: null },
      description: { field: 'label' },
    },
  } as TopLevelSpec;
}

/** Renders a chart definition to SVG with Vega (no DOM, no canvas); drops non-finite points first. */
export async function renderChart(c: ChartDef): Promise<RenderedChart> {
  let spec: TopLevelSpec, points: number, marks: number;
  if (c.bar) {
    const bars = c.bar.filter((b) => Number.isFinite(b.y)).map((b) => ({ ...b, label: `series=${b.series}; group=${b.group}; y=${b.y}` }));
    c = { ...c, bar: bars };
    spec = barSpec(c);
    points = marks = bars.length;
  } else {
    const line = (c.line ?? []).filter((p) => Number.isFinite(p.y) && Number.isFinite(p.x));
    c = { ...c, line };
    const perSeries = new Map<string, number>();
    for (const p of line) perSeries.set(p.series, (perSeries.get(p.series) ?? 0) + 1);
    const symbols = Math.max(0, ...perSeries.values()) <= SYMBOL_LIMIT;
    // each symbol's aria-label carries its exact values (what a reader or a test can check against the logs)
    if (symbols) c = { ...c, line: line.map((p) => ({ ...p, label: `series=${p.series}; x=${p.x}; y=${p.y}` })) };
    spec = lineSpec(c, symbols);
    points = line.length;
    marks = symbols ? line.length : 0;
  }
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return { id: c.id, title: c.title, caption: c.caption, svg: compactSvg(svg), points, marks };
}

/** Rounds the long decimals Vega writes (100.00000000000001) to 2 places: a tenth of the bytes, no visible change. */
function compactSvg(svg: string): string {
  const round = (v: string) => v.replace(/-?\d+\.\d{3,}(e-?\d+)?/g, (m) => String(Math.round(Number(m) * 100) / 100));
  return svg.replace(/ (d|transform|x|y|x1|x2|y1|y2|width|height)="([^"]*)"/g, (_m, a: string, v: string) => ` ${a}="${round(v)}"`);
}
