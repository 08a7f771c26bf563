// Tokenizers: the Tokenizer interface, CharTokenizer (ours, one token per character, for synthetic worlds;
// saved as a valid HF tokenizer.json: a merge-less BPE over single characters with a Fuse decoder), and
// HFTokenizer (any HF tokenizer.json through @huggingface/tokenizers; chat templates through @huggingface/jinja).
// Not a tokenizer trainer: byte-level BPE merges come from the checkpoint, never learned here.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer as HFTokenizerImpl } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';
import { R1TS_CHAT_TEMPLATE } from './chat.js';

export interface ChatMessage {
  role: string;
  content: string;
}

export interface ChatTemplateOptions {
  /** End with the assistant turn's opening (transformers' add_generation_prompt). */
  addGenerationPrompt?: boolean;
  /** A Jinja template used instead of the tokenizer's own. */
  template?: string;
}

export interface Tokenizer {
  vocabSize: number;
  encode(text: string): number[];
  decode(ids: ArrayLike<number>): string;
  eosId: number | null;
  bosId: number | null;
  padId: number | null;
  tokenToId(tok: string): number | null;
  /** A valid Hugging Face tokenizer.json. */
  toJSON(): object;
  /** tokenizer_config.json (special tokens, chat template) for transformers' AutoTokenizer. */
  tokenizerConfig(): Record<string, unknown>;
  /** The prompt string a chat template renders; throws when the tokenizer has no template. */
  applyChatTemplate(messages: ChatMessage[], opts?: ChatTemplateOptions): string;
}

/** Special tokens a CharTokenizer gets unless told otherwise. */
export const DEFAULT_SPECIALS = ['<|pad|>', '<|bos|>', '<|eos|>', '<|unk|>'] as const;

export interface CharTokenizerOptions {
  /** Characters of the vocabulary (each a single code point), in id order after the specials. */
  chars: string | string[];
  /** Special tokens (ids 0..n-1), matched whole in text before characters. Default DEFAULT_SPECIALS. */
  specials?: string[];
  /** Jinja chat template; null for none. Default R1TS_CHAT_TEMPLATE (src/model/chat.ts): the format r1ts's character-level models are trained on. */
  chatTemplate?: string | null;
}

/** One token per character; special tokens such as <|eos|> are single tokens. Unknown chars → <|unk|> (or an error). */
export class CharTokenizer implements Tokenizer {
  readonly specials: string[];
  readonly chars: string[];
  readonly chatTemplate: string | null;
  private readonly idOf = new Map<string, number>();
  private readonly tokens: string[];

  constructor(opts: CharTokenizerOptions) {
    this.specials = [...(opts.specials ?? DEFAULT_SPECIALS)];
    this.chars = typeof opts.chars === 'string' ? [...new Set(Array.from(opts.chars))] : [...opts.chars];
    this.chatTemplate = opts.chatTemplate === undefined ? R1TS_CHAT_TEMPLATE : opts.chatTemplate;
    this.tokens = [...this.specials, ...this.chars];
    this.tokens.forEach((t, i) => {
      if (this.idOf.has(t)) throw new Error(`CharTokenizer: token ${JSON.stringify(t)} appears twice; list each character and special once`);
      this.idOf.set(t, i);
    });
    for (const c of this.chars) {
      if (Array.from(c).length !== 1) throw new Error(`CharTokenizer: ${JSON.stringify(c)} is not a single character; put multi-character tokens in specials`);
    }
    for (const s of this.specials) {
      if (s.length === 0) throw new Error('CharTokenizer: an empty special token; remove it');
    }
  }

  /** A tokenizer over every character that appears in the texts (sorted by code point), plus specials. */
  static fromCorpus(texts: Iterable<string>, opts: Omit<CharTokenizerOptions, 'chars'> = {}): CharTokenizer {
    const set = new Set<string>();
    for (const t of texts) for (const c of t) set.add(c);
    const chars = [...set].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new CharTokenizer({ ...opts, chars });
  }

  /** Reads back what toJSON wrote; null when the JSON is not a character-level tokenizer of this shape. */
  static fromJSON(json: unknown, config: Record<string, unknown> = {}): CharTokenizer | null {
    const j = json as { model?: { type?: string; vocab?: Record<string, number>; merges?: unknown[] }; added_tokens?: { id: number; content: string; special?: boolean }[]; decoder?: { type?: string } | null; pre_tokenizer?: unknown; normalizer?: unknown };
    if (j?.model?.type !== 'BPE' || (j.model.merges?.length ?? 0) !== 0 || j.decoder?.type !== 'Fuse' || j.pre_tokenizer || j.normalizer) return null;
    const vocab = j.model.vocab ?? {};
    const byId: string[] = [];
    for (const [tok, id] of Object.entries(vocab)) byId[id] = tok;
    const specialSet = new Set((j.added_tokens ?? []).filter((a) => a.special).map((a) => a.content));
    let n = 0;
    while (n < byId.length && specialSet.has(byId[n]!)) n++;
    const specials = byId.slice(0, n);
    const chars = byId.slice(n);
    if (chars.some((c) => c === undefined || Array.from(c).length !== 1) || specials.length !== specialSet.size) return null;
    const tmpl = config['chat_template'];
    // a character-level checkpoint without a template (written before r1ts wrote one) gets the format it was trained on;
    // `"chat_template": null` says it has none
    return new CharTokenizer({ chars, specials, chatTemplate: typeof tmpl === 'string' ? tmpl : tmpl === null ? null : undefined });
  }

  get vocabSize(): number {
    return this.tokens.length;
  }
  get eosId(): number | null {
    return this.tokenToId('<|eos|>');
  }
  get bosId(): number | null {
    return this.tokenToId('<|bos|>');
  }
  get padId(): number | null {
    return this.tokenToId('<|pad|>');
  }

  tokenToId(tok: string): number | null {
    return this.idOf.get(tok) ?? null;
  }

  /** The token string of an id (a character or a special). */
  idToToken(id: number): string | null {
    return this.tokens[id] ?? null;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    const unk = this.tokenToId('<|unk|>');
    let i = 0;
    outer: while (i < text.length) {
      if (text.charCodeAt(i) === 60 /* '<' */ || this.specials.some((s) => s.charCodeAt(0) === text.charCodeAt(i))) {
        for (const s of this.specials) {
          if (text.startsWith(s, i)) {
            out.push(this.idOf.get(s)!);
            i += s.length;
            continue outer;
          }
        }
      }
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      const id = this.idOf.get(ch);
      if (id !== undefined) out.push(id);
      else if (unk !== null) out.push(unk);
      else throw new Error(`CharTokenizer.encode: character ${JSON.stringify(ch)} at ${i} is not in the vocabulary; add it to chars or add <|unk|> to specials`);
      i += ch.length;
    }
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const t = this.tokens[ids[i]!];
      if (t === undefined) throw new Error(`CharTokenizer.decode: id ${ids[i]} is outside the vocabulary [0, ${this.tokens.length})`);
      s += t;
    }
    return s;
  }

  toJSON(): object {
    const vocab: Record<string, number> = {};
    this.tokens.forEach((t, i) => (vocab[t] = i));
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: this.specials.map((content, id) => ({
        id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
      })),
      normalizer: null,
      pre_tokenizer: null,
      post_processor: null,
      decoder: { type: 'Fuse' },
      model: {
        type: 'BPE', dropout: null, unk_token: this.specials.includes('<|unk|>') ? '<|unk|>' : null,
        continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false,
        vocab, merges: [],
      },
    };
  }

  tokenizerConfig(): Record<string, unknown> {
    const cfg: Record<string, unknown> = { tokenizer_class: 'PreTrainedTokenizerFast', model_max_length: 1000000, clean_up_tokenization_spaces: false };
    const roles: [string, string][] = [['pad_token', '<|pad|>'], ['bos_token', '<|bos|>'], ['eos_token', '<|eos|>'], ['unk_token', '<|unk|>']];
    for (const [key, tok] of roles) if (this.specials.includes(tok)) cfg[key] = tok;
    cfg['chat_template'] = this.chatTemplate; // null (none) is written too: absent means R1TS_CHAT_TEMPLATE
    return cfg;
  }

  applyChatTemplate(messages: ChatMessage[], opts: ChatTemplateOptions = {}): string {
    return renderChatTemplate(opts.template ?? this.chatTemplate, messages, opts, this.tokenizerConfig());
  }
}

/** A Hugging Face tokenizer.json (byte-level BPE as Qwen2 / Llama 3, or any model tokenizers.js supports). */
export class HFTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly eosId: number | null;
  readonly bosId: number | null;
  readonly padId: number | null;
  private readonly impl: HFTokenizerImpl;

  constructor(private readonly json: Record<string, unknown>, private readonly config: Record<string, unknown> = {}) {
    this.impl = new HFTokenizerImpl(json, config);
    let maxId = -1;
    for (const id of this.impl.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    const idOfRole = (key: string): number | null => {
      const v = config[key];
      const tok = typeof v === 'string' ? v : v && typeof v === 'object' && 'content' in v ? String((v as { content: unknown }).content) : null;
      return tok === null ? null : this.tokenToId(tok);
    };
    this.eosId = idOfRole('eos_token');
    this.bosId = idOfRole('bos_token');
    this.padId = idOfRole('pad_token');
  }

  /**
   * Encodes without the post-processor's special tokens (chat templates add BOS themselves) unless asked. With them,
   * tokenizer_config.json's add_bos_token / add_eos_token are honoured as transformers' LlamaTokenizerFast does
   * (DeepSeek-V3/R1 ship a ByteLevel post-processor and add_bos_token: true, so tokenizer(text) starts with BOS).
   */
  encode(text: string, opts: { addSpecialTokens?: boolean } = {}): number[] {
    const ids = this.impl.encode(text, { add_special_tokens: opts.addSpecialTokens ?? false }).ids;
    if (!opts.addSpecialTokens) return ids;
    const post = (this.postAdds ??= this.impl.encode('', { add_special_tokens: true }).ids);
    if (this.config['add_bos_token'] === true && this.bosId !== null && !post.includes(this.bosId)) ids.unshift(this.bosId);
    if (this.config['add_eos_token'] === true && this.eosId !== null && !post.includes(this.eosId)) ids.push(this.eosId);
    return ids;
  }

  /** What the post-processor alone adds (the ids of an empty text with special tokens). */
  private postAdds: number[] | undefined;

  decode(ids: ArrayLike<number>, opts: { skipSpecialTokens?: boolean } = {}): string {
    return this.impl.decode(Array.from(ids), { skip_special_tokens: opts.skipSpecialTokens ?? false });
  }

  tokenToId(tok: string): number | null {
    return this.impl.token_to_id(tok) ?? null;
  }

  toJSON(): object {
    return this.json;
  }

  tokenizerConfig(): Record<string, unknown> {
    return this.config;
  }

  applyChatTemplate(messages: ChatMessage[], opts: ChatTemplateOptions = {}): string {
    return renderChatTemplate(opts.template ?? chatTemplateOf(this.config), messages, opts, this.config);
  }
}

/** The default template string of a tokenizer_config.json (a string, or a list of {name, template}). */
function chatTemplateOf(config: Record<string, unknown>): string | null {
  const t = config['chat_template'];
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) {
    const d = t.find((x) => x && x.name === 'default') ?? t[0];
    return d && typeof d.template === 'string' ? d.template : null;
  }
  return null;
}

function renderChatTemplate(template: string | null, messages: ChatMessage[], opts: { addGenerationPrompt?: boolean },
  config: Record<string, unknown>): string {
  if (!template) throw new Error('applyChatTemplate: this tokenizer has no chat_template (tokenizer_config.json); format the prompt yourself or add one');
  const special: Record<string, unknown> = {};
  for (const key of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) {
    const v = config[key];
    special[key] = typeof v === 'string' ? v : v && typeof v === 'object' && 'content' in v ? (v as { content: unknown }).content : '';
  }
  return new Template(template).render({ ...special, messages, add_generation_prompt: opts.addGenerationPrompt ?? false });
}

/**
 * Loads tokenizer.json (+ tokenizer_config.json, and chat_template.jinja when the config has no template) from a
 * folder: ours as CharTokenizer, others via tokenizers.js.
 */
export async function loadTokenizer(dir: string): Promise<Tokenizer> {
  const path = join(dir, 'tokenizer.json');
  if (!existsSync(path)) throw new Error(`loadTokenizer: ${path} does not exist; a checkpoint folder needs the tokenizer.json the model was trained with`);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new Error(`loadTokenizer: ${path} is not valid JSON (${(err as Error).message}); re-save the tokenizer`);
  }
  const cfgPath = join(dir, 'tokenizer_config.json');
  let config: Record<string, unknown> = {};
  if (existsSync(cfgPath)) {
    try {
      config = JSON.parse(await readFile(cfgPath, 'utf8'));
    } catch (err) {
      throw new Error(`loadTokenizer: ${cfgPath} is not valid JSON (${(err as Error).message}); fix or delete it`);
    }
  }
  // transformers >= 4.43 may save the template beside the config instead of in it
  const jinja = join(dir, 'chat_template.jinja');
  if (config['chat_template'] === undefined && existsSync(jinja)) config = { ...config, chat_template: await readFile(jinja, 'utf8') };
  const ours = CharTokenizer.fromJSON(json, config);
  if (ours) return ours;
  try {
    return new HFTokenizer(json, config);
  } catch (err) {
    throw new Error(`loadTokenizer: ${path} could not be read by @huggingface/tokenizers (${(err as Error).message}); check the file comes from a supported tokenizer`);
  }
}
