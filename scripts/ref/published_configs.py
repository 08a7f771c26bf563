#!/work/venv/bin/python
# Writes test/fixtures/model/families/published_configs.json: config.json files in the shape the published checkpoints
# carry (Llama-3.2-1B-Instruct, DeepSeek-R1-Distill-Llama-8B / -Qwen-1.5B, Qwen3-0.6B, Qwen2.5-7B-Instruct with and
# without Qwen's yarn setting, SmolLM2-135M, Mistral-7B-v0.3 and v0.1), with what transformers 5.18 derives from each:
# head_dim, the standardized rope parameters, the rotary embedding's inv_freq and attention scaling, and how many layers
# would use sliding-window attention. Not weights (too large); the tiny models are scripts/ref/families_fixture.py's.
# Run: /work/venv/bin/python scripts/ref/published_configs.py
import json
import os

from transformers import AutoConfig
from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS
from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'model', 'families', 'published_configs.json')

LLAMA32_1B = {
    'architectures': ['LlamaForCausalLM'], 'attention_bias': False, 'attention_dropout': 0.0, 'bos_token_id': 128000,
    'eos_token_id': [128001, 128008, 128009], 'head_dim': 64, 'hidden_act': 'silu', 'hidden_size': 2048, 'initializer_range': 0.02,
    'intermediate_size': 8192, 'max_position_embeddings': 131072, 'mlp_bias': False, 'model_type': 'llama', 'num_attention_heads': 32,
    'num_hidden_layers': 16, 'num_key_value_heads': 8, 'pretraining_tp': 1, 'rms_norm_eps': 1e-05,
    'rope_scaling': {'factor': 32.0, 'high_freq_factor': 4.0, 'low_freq_factor': 1.0, 'original_max_position_embeddings': 8192, 'rope_type': 'llama3'},
    'rope_theta': 500000.0, 'tie_word_embeddings': True, 'torch_dtype': 'bfloat16', 'transformers_version': '4.45.0.dev0', 'use_cache': True,
    'vocab_size': 128256}
R1_LLAMA_8B = {
    'architectures': ['LlamaForCausalLM'], 'attention_bias': False, 'attention_dropout': 0.0, 'bos_token_id': 128000, 'eos_token_id': 128001,
    'hidden_act': 'silu', 'hidden_size': 4096, 'initializer_range': 0.02, 'intermediate_size': 14336, 'max_position_embeddings': 131072,
    'mlp_bias': False, 'model_type': 'llama', 'num_attention_heads': 32, 'num_hidden_layers': 32, 'num_key_value_heads': 8, 'pretraining_tp': 1,
    'rms_norm_eps': 1e-05,
    'rope_scaling': {'factor': 8.0, 'high_freq_factor': 4.0, 'low_freq_factor': 1.0, 'original_max_position_embeddings': 8192, 'rope_type': 'llama3'},
    'rope_theta': 500000.0, 'tie_word_embeddings': False, 'torch_dtype': 'bfloat16', 'transformers_version': '4.43.0.dev0', 'use_cache': True,
    'vocab_size': 128256}
QWEN3_06B = {
    'architectures': ['Qwen3ForCausalLM'], 'attention_bias': False, 'attention_dropout': 0.0, 'bos_token_id': 151643, 'eos_token_id': 151645,
    'head_dim': 128, 'hidden_act': 'silu', 'hidden_size': 1024, 'initializer_range': 0.02, 'intermediate_size': 3072,
    'max_position_embeddings': 40960, 'max_window_layers': 28, 'model_type': 'qwen3', 'num_attention_heads': 16, 'num_hidden_layers': 28,
    'num_key_value_heads': 8, 'rms_norm_eps': 1e-06, 'rope_scaling': None, 'rope_theta': 1000000, 'sliding_window': None,
    'tie_word_embeddings': True, 'torch_dtype': 'bfloat16', 'transformers_version': '4.51.0', 'use_cache': True, 'use_sliding_window': False,
    'vocab_size': 151936}
QWEN25_7B = {
    'architectures': ['Qwen2ForCausalLM'], 'attention_dropout': 0.0, 'bos_token_id': 151643, 'eos_token_id': 151645, 'hidden_act': 'silu',
    'hidden_size': 3584, 'initializer_range': 0.02, 'intermediate_size': 18944, 'max_position_embeddings': 32768, 'max_window_layers': 28,
    'model_type': 'qwen2', 'num_attention_heads': 28, 'num_hidden_layers': 28, 'num_key_value_heads': 4, 'rms_norm_eps': 1e-06,
    'rope_theta': 1000000.0, 'sliding_window': 131072, 'tie_word_embeddings': False, 'torch_dtype': 'bfloat16', 'transformers_version': '4.43.1',
    'use_cache': True, 'use_sliding_window': False, 'vocab_size': 152064}
R1_QWEN_15B = {
    'architectures': ['Qwen2ForCausalLM'], 'attention_dropout': 0.0, 'bos_token_id': 151643, 'eos_token_id': 151643, 'hidden_act': 'silu',
    'hidden_size': 1536, 'initializer_range': 0.02, 'intermediate_size': 8960, 'max_position_embeddings': 131072, 'max_window_layers': 21,
    'model_type': 'qwen2', 'num_attention_heads': 12, 'num_hidden_layers': 28, 'num_key_value_heads': 2, 'rms_norm_eps': 1e-06, 'rope_theta': 10000,
    'sliding_window': 4096, 'tie_word_embeddings': False, 'torch_dtype': 'bfloat16', 'transformers_version': '4.44.0', 'use_cache': True,
    'use_mrope': False, 'use_sliding_window': False, 'vocab_size': 151936}
SMOLLM2_135M = {
    'architectures': ['LlamaForCausalLM'], 'attention_bias': False, 'attention_dropout': 0.0, 'bos_token_id': 0, 'eos_token_id': 0,
    'hidden_act': 'silu', 'hidden_size': 576, 'initializer_range': 0.041666666666666664, 'intermediate_size': 1536, 'is_llama_config': True,
    'max_position_embeddings': 8192, 'model_type': 'llama', 'num_attention_heads': 9, 'num_hidden_layers': 30, 'num_key_value_heads': 3,
    'pretraining_tp': 1, 'rms_norm_eps': 1e-05, 'rope_interleaved': False, 'rope_scaling': None, 'rope_theta': 100000,
    'tie_word_embeddings': True, 'torch_dtype': 'bfloat16', 'transformers_version': '4.40.1', 'use_cache': True, 'vocab_size': 49152}
MISTRAL_V03 = {
    'architectures': ['MistralForCausalLM'], 'attention_dropout': 0.0, 'bos_token_id': 1, 'eos_token_id': 2, 'hidden_act': 'silu',
    'hidden_size': 4096, 'initializer_range': 0.02, 'intermediate_size': 14336, 'max_position_embeddings': 32768, 'model_type': 'mistral',
    'num_attention_heads': 32, 'num_hidden_layers': 32, 'num_key_value_heads': 8, 'rms_norm_eps': 1e-05, 'rope_theta': 1000000.0,
    'sliding_window': None, 'tie_word_embeddings': False, 'torch_dtype': 'bfloat16', 'transformers_version': '4.42.0.dev0', 'use_cache': True,
    'vocab_size': 32768}

CONFIGS = {
    'Llama-3.2-1B-Instruct': LLAMA32_1B,
    'DeepSeek-R1-Distill-Llama-8B': R1_LLAMA_8B,
    'Qwen3-0.6B': QWEN3_06B,
    'Qwen2.5-7B-Instruct': QWEN25_7B,
    'Qwen2.5-7B-Instruct+yarn': {**QWEN25_7B, 'rope_scaling': {'factor': 4.0, 'original_max_position_embeddings': 32768, 'type': 'yarn'}},
    'DeepSeek-R1-Distill-Qwen-1.5B': R1_QWEN_15B,
    'SmolLM2-135M': SMOLLM2_135M,
    'Mistral-7B-Instruct-v0.3': MISTRAL_V03,
    'Mistral-7B-v0.1 (sliding window)': {**MISTRAL_V03, 'sliding_window': 4096, 'rope_theta': 10000.0, 'vocab_size': 32000},
    'Qwen2.5-7B-Instruct with use_sliding_window true': {**QWEN25_7B, 'use_sliding_window': True, 'max_window_layers': 21},
}


def main():
    out = {}
    for name, raw in CONFIGS.items():
        cfg = AutoConfig.for_model(**json.loads(json.dumps(raw)))
        head_dim = getattr(cfg, 'head_dim', None) or cfg.hidden_size // cfg.num_attention_heads
        rope = dict(cfg.rope_parameters)
        if rope['rope_type'] == 'default':
            inv, scale = LlamaRotaryEmbedding.compute_default_rope_parameters(cfg)
        else:
            inv, scale = ROPE_INIT_FUNCTIONS[rope['rope_type']](cfg, None)
        if cfg.model_type == 'mistral':
            sliding = cfg.num_hidden_layers if cfg.sliding_window is not None else 0
        else:
            sliding = sum(t == 'sliding_attention' for t in getattr(cfg, 'layer_types', None) or []) if getattr(cfg, 'sliding_window', None) else 0
        out[name] = {'config': raw, 'head_dim': head_dim, 'rope_parameters': rope, 'inv_freq': inv.tolist(),
                     'attention_scaling': float(scale), 'sliding_layers': sliding}
        print(f'{name}: head_dim {head_dim}, rope {rope}, sliding layers {sliding}')
    with open(OUT, 'w') as f:
        json.dump(out, f)


if __name__ == '__main__':
    main()
