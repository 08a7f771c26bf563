// The Python interpreter a benchmark's PyTorch / TRL side runs under: the one --python names (default python3 on
// PATH), checked once for an importable torch 2.x so that a missing peer is one line, not a failed run later.
// Not an installer: it never downloads anything.
import { spawnSync } from 'node:child_process';
import { UsageError } from '../main.js';

/** Help text of the shared flag. */
export const PYTHON_HELP = '  --python PY        interpreter with PyTorch 2.x for --compare-torch (default: python3)';

/** The interpreter to use; throws a UsageError unless it imports torch >= 2 (and `modules`, e.g. trl). */
export function torchPython(flag: string | undefined, modules: string[] = []): string {
  const python = flag ?? 'python3';
  const code = `import torch${modules.map((m) => `, ${m}`).join('')}; print(torch.__version__)`;
  const r = spawnSync(python, ['-c', code], { encoding: 'utf8' });
  const version = r.status === 0 ? r.stdout.trim() : '';
  if (!version) {
    const why = r.error ? r.error.message : (r.stderr.trim().split('\n').pop() ?? `exit ${r.status}`);
    throw new UsageError(`--python ${python} cannot import torch${modules.map((m) => `, ${m}`).join('')} (${why}); name an interpreter that has them, e.g. --python /path/to/venv/bin/python`);
  }
  if (Number(version.split('.')[0]) < 2) throw new UsageError(`--python ${python} has PyTorch ${version}; the comparison needs PyTorch 2.x (scaled_dot_product_attention): name a newer interpreter with --python`);
  return python;
}
