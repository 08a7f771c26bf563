// The `r1` command: a table of subcommands, each a module under src/cli/ with `run(argv)`, and the one manner
// every command shares: -h/--help, a user error is one line `r1 CMD: what is wrong and the fix` with exit code 2,
// any other error one line with exit code 1 (the stack only with R1_DEBUG=1). It parses no command's flags.

import { UsageError } from '../run/spec.js';

export interface Command {
  /** One line for `r1 --help`. */
  summary: string;
  /** Loads the module that implements the command. */
  load: () => Promise<Module>;
}

type Module = { run: (argv: string[]) => Promise<number | void> };
/** Command modules are src/cli/<name>.ts; a computed path keeps main.ts independent of which exist yet. */
const load = (name: string): Promise<Module> => import(`./${name}.js`);

const commands: Record<string, Command> = {
  demo: { summary: 'R1-Zero end to end: pretrain the default base model if needed, GRPO, evaluate before/after', load: () => load('demo') },
  bench: { summary: 'benchmarks: bench train | matmul | generate | verify [--compare-torch] [--json]', load: () => load('bench') },
  generate: { summary: 'sample completions from a checkpoint folder', load: () => load('generate') },
  logits: { summary: 'print the logits of a token sequence (for checking against other implementations)', load: () => load('logits') },
  verify: { summary: 'check {"gold","pred"} JSONL lines with the math verifier', load: () => load('verify') },
  reward: { summary: 'score one output with a reward: reward code --lang python|js --program FILE --tests FILE.json', load: () => load('reward') },
  pretrain: { summary: 'train a base model from scratch on a synthetic world or a text corpus', load: () => load('pretrain') },
  sft: { summary: 'supervised fine-tuning with the loss masked to completions', load: () => load('sft') },
  grpo: { summary: 'GRPO reinforcement learning with rule-based rewards', load: () => load('grpo') },
  eval: { summary: 'pass@1 / cons@k evaluation of a checkpoint or an OpenAI-compatible endpoint', load: () => load('eval') },
  'train-rm': { summary: 'train a reward model (decoder + scalar head, Bradley-Terry loss) on preference pairs', load: () => load('train-rm') },
  'merge-lora': { summary: 'fold a LoRA adapter into its base: a plain checkpoint (PEFT merge_and_unload)', load: () => load('merge-lora') },
  serve: { summary: 'OpenAI-compatible server for a checkpoint (continuous batching, streaming)', load: () => load('serve') },
  tokenize: { summary: 'token ids of a text or a chat prompt (the chat template rendered), as HF tokenizers gives them', load: () => load('tokenize') },
  pipeline: { summary: 'DeepSeek-R1 in miniature: R1-Zero, cold start, reasoning RL, rejection sampling + SFT, reward model, RL for all scenarios, distillation', load: () => load('pipeline') },
  distill: { summary: 'distil a teacher into a small student with SFT on its correct samples, against the same student trained with GRPO', load: () => load('distill') },
  sample: { summary: 'k samples per problem from a checkpoint; --reject keeps correct, clean, distinct ones (rejection sampling)', load: () => load('sample') },
  report: { summary: 'the HTML report of a run folder: the paper\'s figures, diagnostics, a samples viewer (--serve, --png)', load: () => load('report') },
};

/** The names of every command (for tests of the shared manner). */
export const commandNames = (): string[] => Object.keys(commands);

function help(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = Object.entries(commands).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`);
  return `usage: r1 <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n\`r1 <command> --help\` for a command's options. ` +
    'Errors are one line (R1_DEBUG=1 shows the stack); user errors exit 2, Ctrl-C saves where it can and exits 130.';
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 1;
  }
  const cmd = commands[name];
  if (!cmd) {
    console.error(`r1: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  let mod;
  try {
    mod = await cmd.load();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(err).includes(`cli/${name}.`)) {
      console.error(`r1: the '${name}' command is not built yet in this version`);
      return 2;
    }
    throw err;
  }
  try {
    return (await mod.run(rest)) ?? 0;
  } catch (err) {
    return reportError(name, err);
  }
}

/** File-system error codes that mean the user named a path that is not there or not usable. */
const USER_FS_ERRORS = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EEXIST']);

/** Prints an error as one line `r1 CMD: message` (the stack too with R1_DEBUG=1); returns the exit code. */
export function reportError(name: string, err: unknown): number {
  const debug = process.env.R1_DEBUG === '1';
  const code = (err as NodeJS.ErrnoException)?.code;
  const user = err instanceof UsageError || (typeof code === 'string' && USER_FS_ERRORS.has(code));
  const message = err instanceof Error ? err.message : String(err);
  const lines = message.split('\n').map((l) => l.trim()).filter(Boolean);
  // a message that carries the help text after its first line: the line, and where the help is
  const text = lines.length > 1 ? `${lines[0]}; see r1 ${name} --help` : (lines[0] ?? 'failed');
  console.error(`r1 ${name}: ${text}${!user && !debug ? ' (R1_DEBUG=1 shows where)' : ''}`);
  if (debug && err instanceof Error && err.stack) console.error(err.stack);
  return user ? 2 : 1;
}

/** Thrown by a command for bad flags or input: printed as one line, exit code 2, no stack (declared in src/run/spec.ts). */
export { UsageError };
