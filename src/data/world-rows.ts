// World problems from a JSONL file of questions (`r1 sample --data`): a row's world is its "world" field, else the
// given one, else the first row's; its question is in the world's own wording, or a conversational "prompt": [messages]
// (TRL's rows, issue 22) kept for the chat template. Each bad row is a one-line user error naming file:line. Not sampling.
import { UsageError } from '../run/spec.js';
import { readJsonlAll } from './jsonl.js';
import { rowToProblem, type ChatMessage } from './datasets.js';
import { getWorld, worldPrompt } from './worlds/index.js';
import type { WorldProblem } from './worlds/types.js';

export interface WorldRows {
  /** The world of the rows (the given one, else the first row's). */
  world: string;
  problems: WorldProblem[];
  /** Each row's messages when it is conversational, else null. */
  conversations: (ChatMessage[] | null)[];
}

/** Reads and parses every row; no rows is a user error. */
export async function readWorldRows(file: string, worldName: string | undefined): Promise<WorldRows> {
  const rows = await readJsonlAll<Record<string, unknown>>(file, { onError: 'fail' });
  const conversations: (ChatMessage[] | null)[] = [];
  const problems = rows.map(({ value, line }) => {
    const w = typeof value.world === 'string' ? value.world : worldName;
    if (!w) throw new UsageError(`${file}:${line}: no world; pass --world NAME or give the row a "world" field`);
    worldName ??= w;
    const conv = Array.isArray(value.prompt) ? rowToProblem({ ...value, answer: '?' }, `${file}:${line}`) : null;
    if (typeof conv === 'string') throw new UsageError(`${file}:${line}: ${conv}`);
    conversations.push(conv?.messages ?? null);
    const q = conv ? conv.prompt : typeof value.question === 'string' ? value.question : typeof value.prompt === 'string' ? value.prompt : null;
    if (q === null) throw new UsageError(`${file}:${line}: expected a "question" string (or a conversational "prompt": [messages])`);
    const p = getWorld(w).parse(q);
    if (!p) throw new UsageError(`${file}:${line}: '${q}' is not a question of world ${w}; write it as the world's generator does`);
    return p;
  });
  if (problems.length === 0) throw new UsageError(`${file}: no problems`);
  return { world: worldName!, problems, conversations };
}

/**
 * The prompts of rows with conversations among them: those through render (the checkpoint's chat template), the others
 * in the world's wording; undefined when no row is conversational. A render error is a user error naming the file.
 */
export function conversationPrompts(rows: Pick<WorldRows, 'problems' | 'conversations'>, render: (m: ChatMessage[]) => string, file: string): string[] | undefined {
  if (!rows.conversations.some((m) => m !== null)) return undefined;
  try {
    return rows.problems.map((p, i) => (rows.conversations[i] ? render(rows.conversations[i]!) : worldPrompt(p)));
  } catch (e) {
    throw new UsageError(`${file}: conversational rows need the checkpoint's chat template: ${(e as Error).message}`);
  }
}
