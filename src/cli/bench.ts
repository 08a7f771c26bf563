// `r1 bench <what>`: dispatches to src/cli/bench/<what>.ts (train, matmul, generate, verify, serve, sample, grpo).
// Benchmarks compare side by side in one run and report ratios with absolute figures; never timing asserts in tests.
import { UsageError, reportError } from './main.js';

export const WHAT = ['train', 'matmul', 'generate', 'verify', 'serve', 'sample', 'grpo'] as const;

export async function run(argv: string[]): Promise<number | void> {
  const [what, ...rest] = argv;
  if (what === '-h' || what === '--help') {
    console.log(`usage: r1 bench ${WHAT.join('|')} [options] [--json]\n  r1 bench <what> --help for its options; speeds are measured and reported, side by side with PyTorch where it applies`);
    return 0;
  }
  if (!what || !(WHAT as readonly string[]).includes(what)) {
    throw new UsageError(`usage: r1 bench ${WHAT.join('|')} [options] [--json] (got '${what ?? ''}'); r1 bench --help`);
  }
  const mod: { run: (argv: string[]) => Promise<number | void> } = await import(`./bench/${what}.js`);
  try {
    return await mod.run(rest);
  } catch (err) {
    return reportError(`bench ${what}`, err); // `r1 bench train: …`, naming the benchmark the flag belongs to
  }
}
