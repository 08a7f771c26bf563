// The `r1` command: a table of subcommands, each a module under src/cli/ with `run(argv)`.
// It parses nothing itself and holds no logic; a command module parses its own flags
// (node:util parseArgs) and calls the layers.

export interface Command {
  /** One line for `r1 --help`. */
  summary: string;
  /** Loads the module that implements the command. */
  load: () => Promise<{ run: (argv: string[]) => Promise<number | void> }>;
}

const commands: Record<string, Command> = {
  demo: { summary: 'R1-Zero end to end: pretrain the default base model if needed, GRPO, evaluate before/after', load: () => import('./demo.js') },
  bench: { summary: 'benchmarks: bench train | matmul | generate | verify [--compare-torch] [--json]', load: () => import('./bench.js') },
  generate: { summary: 'sample completions from a checkpoint folder', load: () => import('./generate.js') },
  logits: { summary: 'print the logits of a token sequence (for checking against other implementations)', load: () => import('./logits.js') },
  verify: { summary: 'judge {"gold","pred"} JSONL lines with the math verifier', load: () => import('./verify.js') },
  reward: { summary: 'score one output with a reward: reward code --lang python|js --program FILE --tests FILE.json', load: () => import('./reward.js') },
  pretrain: { summary: 'train a base model from scratch on a synthetic world or a text corpus', load: () => import('./pretrain.js') },
  sft: { summary: 'supervised fine-tuning with the loss masked to completions', load: () => import('./sft.js') },
  grpo: { summary: 'GRPO reinforcement learning with rule-based rewards', load: () => import('./grpo.js') },
  eval: { summary: 'pass@1 / cons@k evaluation of a checkpoint or an OpenAI-compatible endpoint', load: () => import('./eval.js') },
};

function help(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  const lines = Object.entries(commands).map(([k, c]) => `  ${k.padEnd(width)}  ${c.summary}`);
  return `usage: r1 <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n\`r1 <command> --help\` for a command's options.`;
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
    if (err instanceof UsageError) {
      console.error(`r1 ${name}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

/** Thrown by a command for bad flags or input: printed as one line, exit code 2, no stack. */
export class UsageError extends Error {}
