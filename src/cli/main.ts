// The `r1` command: a table of subcommands, each a module under src/cli/ with `run(argv)`.
// It parses nothing itself and holds no logic; a command module parses its own flags
// (node:util parseArgs) and calls the layers.

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
  verify: { summary: 'judge {"gold","pred"} JSONL lines with the math verifier', load: () => load('verify') },
  reward: { summary: 'score one output with a reward: reward code --lang python|js --program FILE --tests FILE.json', load: () => load('reward') },
  pretrain: { summary: 'train a base model from scratch on a synthetic world or a text corpus', load: () => load('pretrain') },
  sft: { summary: 'supervised fine-tuning with the loss masked to completions', load: () => load('sft') },
  grpo: { summary: 'GRPO reinforcement learning with rule-based rewards', load: () => load('grpo') },
  eval: { summary: 'pass@1 / cons@k evaluation of a checkpoint or an OpenAI-compatible endpoint', load: () => load('eval') },
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
