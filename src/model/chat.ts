// The chat template r1ts's own character-level checkpoints carry (tokenizer_config.json's chat_template): it renders
// messages in the format those models are trained on, so a single user turn with the generation prompt is exactly the
// compact prompt of src/data/templates.ts (`User: {prompt}\nAssistant: `). Not a renderer (tokenizer.ts renders it
// with @huggingface/jinja, transformers with jinja2). Hugging Face's chat-template convention.

/**
 * System text on its own line, `User: …\n` per user turn, `Assistant: …<eos>\n` per earlier assistant turn, and
 * `Assistant: ` to open the reply (add_generation_prompt). Every literal is a Jinja string so that no whitespace
 * control can eat the space after `Assistant:`. Other roles (tool, …) are rejected: the models never saw them.
 */
export const R1TS_CHAT_TEMPLATE =
  "{%- for message in messages -%}" +
  "{%- if message['role'] == 'system' -%}{{ message['content'] + '\\n' }}" +
  "{%- elif message['role'] == 'user' -%}{{ 'User: ' + message['content'] + '\\n' }}" +
  "{%- elif message['role'] == 'assistant' -%}{{ 'Assistant: ' + message['content'] + eos_token + '\\n' }}" +
  "{%- else -%}{{ raise_exception('r1ts checkpoints know the roles system, user and assistant, not ' + message['role']) }}" +
  "{%- endif -%}" +
  "{%- endfor -%}" +
  "{%- if add_generation_prompt -%}{{ 'Assistant: ' }}{%- endif -%}";

/** Whether a tokenizer renders chats: its chat template takes one user turn with the generation prompt. */
export function hasChatTemplate(tok: { applyChatTemplate(m: { role: string; content: string }[], o: { addGenerationPrompt: boolean }): string }): boolean {
  try {
    tok.applyChatTemplate([{ role: 'user', content: 'x' }], { addGenerationPrompt: true });
    return true;
  } catch {
    return false;
  }
}
