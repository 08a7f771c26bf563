// `r1 serve --reasoning`: the reply's `<think>…</think>` part returned apart as `reasoning_content`, the rest as
// `content`, in whole replies and in streamed deltas (vLLM's deepseek_r1 reasoning parser semantics: a reply whose
// prompt opened `<think>` (the R1 distill template) or that opens it itself is reasoning until `</think>`).
// Not a judge: evaluation strips reasoning itself (src/eval/benchmark.ts stripReasoning).

const OPEN = '<think>';
const CLOSE = '</think>';

/** Whether a rendered prompt leaves the assistant inside a <think> block. */
export function promptOpensThink(prompt: string): boolean {
  return /<think>\s*$/.test(prompt);
}

/** A whole reply split into reasoning (null when there is none) and content. */
export function splitReasoning(text: string, opened: boolean): { reasoning: string | null; content: string } {
  const body = text.startsWith(OPEN) ? text.slice(OPEN.length) : text;
  const end = body.indexOf(CLOSE);
  if (end >= 0 && (opened || text.startsWith(OPEN))) return { reasoning: body.slice(0, end), content: body.slice(end + CLOSE.length) };
  if (opened || text.startsWith(OPEN)) return { reasoning: body, content: '' };
  return { reasoning: null, content: text };
}

/** The same split over streamed pieces: each push returns what can be sent now; end() flushes the rest. */
export class ReasoningStream {
  private mode: 'detect' | 'reasoning' | 'content';
  private held = '';

  constructor(opened: boolean) {
    this.mode = opened ? 'reasoning' : 'detect';
  }

  push(delta: string): { reasoning: string; content: string } {
    this.held += delta;
    const out = { reasoning: '', content: '' };
    for (;;) {
      if (this.mode === 'detect') {
        if (this.held.startsWith(OPEN)) {
          this.held = this.held.slice(OPEN.length);
          this.mode = 'reasoning';
        } else if (OPEN.startsWith(this.held)) return out; // could still become <think>
        else this.mode = 'content';
      } else if (this.mode === 'reasoning') {
        const end = this.held.indexOf(CLOSE);
        if (end >= 0) {
          out.reasoning += this.held.slice(0, end);
          this.held = this.held.slice(end + CLOSE.length);
          this.mode = 'content';
          continue;
        }
        // hold back a tail that could be the start of </think>
        let keep = 0;
        for (let k = Math.min(CLOSE.length - 1, this.held.length); k > 0; k--) if (this.held.endsWith(CLOSE.slice(0, k))) { keep = k; break; }
        out.reasoning += this.held.slice(0, this.held.length - keep);
        this.held = this.held.slice(this.held.length - keep);
        return out;
      } else {
        out.content += this.held;
        this.held = '';
        return out;
      }
    }
  }

  end(): { reasoning: string; content: string } {
    const rest = this.held;
    this.held = '';
    return this.mode === 'reasoning' ? { reasoning: rest, content: '' } : { reasoning: '', content: rest };
  }
}
