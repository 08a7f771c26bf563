#!/work/venv/bin/python
# Writes test/fixtures/model/families/<name>/: tiny random checkpoints of every config family r1ts loads (Llama 3.2
# with llama3 rope scaling, Qwen3, Qwen2.5, SmolLM2, DeepSeek-R1-Distill-Qwen / -Llama, linear / dynamic / yarn rope,
# Mistral without biases), saved by transformers 5.18 itself (config.json in 5.x's spelling), plus config.v4.json (the
# same config in 4.x's spelling: rope_scaling + rope_theta + torch_dtype, no layer_types), expected.json (FP32 logits of
# a sequence longer than the rope's original context, and a 64-token greedy generate(do_sample=False)), and
# rope_freqs.json (inv_freq and attention scaling from ROPE_INIT_FUNCTIONS for more rope settings).
# Not a model: transformers computes everything. Run: /work/venv/bin/python scripts/ref/families_fixture.py
import copy
import json
import os
import shutil
import tempfile

import torch
import transformers
from transformers import AutoModelForCausalLM, LlamaConfig, MistralConfig, Qwen2Config, Qwen3Config
from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS

ROOT = os.path.join(os.path.dirname(__file__), '..', '..', 'test', 'fixtures', 'model')
OUT = os.path.join(ROOT, 'families')
TOKENIZER = os.path.join(ROOT, 'addition-tiny')  # a 100-token character tokenizer (pad 0, bos 1, eos 2)
V, T, PROMPT, NEW = 128, 36, 8, 64

COMMON = dict(vocab_size=V, num_hidden_layers=2, intermediate_size=64, bos_token_id=1, eos_token_id=2, pad_token_id=0)

FAMILIES = {
    # Llama 3.2: llama3 rope scaling, tied embeddings, GQA, head_dim written out (= hidden / heads, as 5.x writes it)
    'llama3.2': (LlamaConfig, dict(hidden_size=32, num_attention_heads=4, num_key_value_heads=2, head_dim=8,
                                   max_position_embeddings=512, rms_norm_eps=1e-5, tie_word_embeddings=True,
                                   rope_parameters=dict(rope_type='llama3', rope_theta=500000.0, factor=32.0, low_freq_factor=1.0,
                                                        high_freq_factor=4.0, original_max_position_embeddings=256))),
    # Qwen3: q/k RMSNorm per head, head_dim 16 != 32 / 4, no biases, tied
    'qwen3': (Qwen3Config, dict(hidden_size=32, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                                max_position_embeddings=128, tie_word_embeddings=True, max_window_layers=1,
                                use_sliding_window=False, sliding_window=16,
                                rope_parameters=dict(rope_type='default', rope_theta=1000000.0))),
    # Qwen2.5: q/k/v biases, a sliding_window carried with use_sliding_window false, tied
    'qwen2.5': (Qwen2Config, dict(hidden_size=32, num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                                  tie_word_embeddings=True, use_sliding_window=False, sliding_window=16, max_window_layers=1,
                                  rope_parameters=dict(rope_type='default', rope_theta=1000000.0))),
    # SmolLM2: Llama, 3 heads / 1 kv head, head_dim 16 = 48 / 3, tied, theta 1e5
    'smollm2': (LlamaConfig, dict(hidden_size=48, num_attention_heads=3, num_key_value_heads=1, max_position_embeddings=128,
                                  rms_norm_eps=1e-5, tie_word_embeddings=True,
                                  rope_parameters=dict(rope_type='default', rope_theta=100000.0))),
    # DeepSeek-R1-Distill-Qwen: Qwen2 architecture, untied, theta 1e4
    'r1-distill-qwen': (Qwen2Config, dict(hidden_size=32, num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=128,
                                          tie_word_embeddings=False, use_sliding_window=False, sliding_window=4096, max_window_layers=1,
                                          rope_parameters=dict(rope_type='default', rope_theta=10000.0))),
    # DeepSeek-R1-Distill-Llama: Llama architecture with llama3 rope scaling, untied, no head_dim in the 4.x file
    'r1-distill-llama': (LlamaConfig, dict(hidden_size=32, num_attention_heads=4, num_key_value_heads=1, max_position_embeddings=128,
                                           rms_norm_eps=1e-5, tie_word_embeddings=False,
                                           rope_parameters=dict(rope_type='llama3', rope_theta=500000.0, factor=8.0, low_freq_factor=1.0,
                                                                high_freq_factor=4.0, original_max_position_embeddings=64))),
    # linear rope, and Llama's attention_bias (q/k/v/o) and mlp_bias (gate/up/down), plain MHA
    'rope-linear': (LlamaConfig, dict(hidden_size=32, num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=128,
                                      attention_bias=True, mlp_bias=True,
                                      rope_parameters=dict(rope_type='linear', rope_theta=10000.0, factor=4.0))),
    # dynamic NTK rope: max_position_embeddings 24, so the logits (36 positions) and the generation (72) re-derive the base
    'rope-dynamic': (LlamaConfig, dict(hidden_size=32, num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=24,
                                       rope_parameters=dict(rope_type='dynamic', rope_theta=10000.0, factor=2.0))),
    # yarn on Qwen2 (Qwen2.5's long-context setting): original context 16, ramp over the first dims, attention factor
    'rope-yarn': (Qwen2Config, dict(hidden_size=32, num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=64,
                                    use_sliding_window=False,
                                    rope_parameters=dict(rope_type='yarn', rope_theta=1000.0, factor=4.0, original_max_position_embeddings=16,
                                                         beta_fast=8.0, beta_slow=0.25))),
    # Mistral: no biases anywhere, sliding_window null, head_dim 16 != 32 / 4
    'mistral': (MistralConfig, dict(hidden_size=32, num_attention_heads=4, num_key_value_heads=2, head_dim=16, max_position_embeddings=128,
                                    sliding_window=None, rope_parameters=dict(rope_type='default', rope_theta=1000000.0))),
}

# more rope settings, compared on frequencies alone: (base config kwargs, rope dict, seq_len or None)
ROPE_CASES = {
    'yarn-mscale': (dict(max_position_embeddings=4096, head_dim=64), dict(rope_type='yarn', rope_theta=10000.0, factor=8.0,
                                                                          original_max_position_embeddings=512, mscale=0.707, mscale_all_dim=1.0), None),
    'yarn-no-truncate': (dict(max_position_embeddings=4096, head_dim=32), dict(rope_type='yarn', rope_theta=1000000.0, factor=4.0,
                                                                               original_max_position_embeddings=1024, truncate=False), None),
    'yarn-attention-factor': (dict(max_position_embeddings=4096, head_dim=32), dict(rope_type='yarn', rope_theta=10000.0, factor=4.0,
                                                                                    original_max_position_embeddings=1024, attention_factor=1.5), None),
    'llama3-8b': (dict(max_position_embeddings=131072, head_dim=128), dict(rope_type='llama3', rope_theta=500000.0, factor=8.0, low_freq_factor=1.0,
                                                                          high_freq_factor=4.0, original_max_position_embeddings=8192), None),
    'dynamic-5000': (dict(max_position_embeddings=2048, head_dim=64), dict(rope_type='dynamic', rope_theta=10000.0, factor=2.0), 5000),
    'linear-3': (dict(max_position_embeddings=2048, head_dim=64), dict(rope_type='linear', rope_theta=10000.0, factor=3.0), None),
}


def randomize(model, gen):
    """Weights large enough that logits are O(1) and greedy choices are clear: matrices ~ N(0, 1/fan_in), norms ~ 1 + N(0, 0.1)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('embed_tokens.weight'):
                p.copy_(torch.randn(p.shape, generator=gen))
            elif p.dim() == 2:
                p.copy_(torch.randn(p.shape, generator=gen) / p.shape[1] ** 0.5)
            elif 'norm' in name:
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=gen))
            else:  # biases
                p.copy_(0.1 * torch.randn(p.shape, generator=gen))


def v4_spelling(cfg, kwargs):
    """
    The same config as transformers 4.x wrote it: rope_theta + rope_scaling (null for the default rope), torch_dtype,
    no layer_types, and the Qwen families' sliding_window kept beside use_sliding_window false (5.x writes null).
    """
    c = copy.deepcopy(cfg)
    if c.get('sliding_window') is None and kwargs.get('use_sliding_window') is False and 'sliding_window' in kwargs:
        c['sliding_window'] = kwargs['sliding_window']
    rope = dict(c.pop('rope_parameters'))
    c['rope_theta'] = rope.pop('rope_theta')
    c['rope_scaling'] = None if rope.get('rope_type') == 'default' else rope
    c['torch_dtype'] = c.pop('dtype')
    c.pop('layer_types', None)
    c['transformers_version'] = '4.46.3'
    if c['model_type'] == 'llama' and 'r1-distill' in c.get('_name', ''):
        c.pop('head_dim', None)
    c.pop('_name', None)
    return c


def load(path):
    m = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32, attn_implementation='eager')
    m.eval()
    m.generation_config.eos_token_id = None  # 64 tokens always; r1ts' side passes no EOS either
    m.generation_config.pad_token_id = 0
    return m


def measure(path, tokens, prompt):
    with torch.no_grad():
        logits = load(path)(torch.tensor([tokens])).logits[0]  # (T, V), a fresh model: dynamic rope starts at init
        out = load(path).generate(torch.tensor([prompt]), max_new_tokens=NEW, do_sample=False, output_scores=True,
                                  return_dict_in_generate=True)
    top = torch.stack([s[0].topk(2).values for s in out.scores])
    return logits, out.sequences[0, len(prompt):].tolist(), float((top[:, 0] - top[:, 1]).min())


def write_family(name, cls, kwargs):
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    for seed in range(50):
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(1000 + seed)
        cfg = cls(**COMMON, **kwargs)
        model = AutoModelForCausalLM.from_config(cfg, dtype=torch.float32)
        randomize(model, gen)
        model.save_pretrained(d)
        tokens = torch.randint(3, V, (T,), generator=gen).tolist()
        prompt = torch.randint(3, 100, (PROMPT,), generator=gen).tolist()
        logits, greedy, margin = measure(d, tokens, prompt)
        if margin > 1e-3:
            break
    else:
        raise SystemExit(f'{name}: no seed gives greedy margins > 1e-3')
    for f in ('tokenizer.json', 'tokenizer_config.json'):
        shutil.copy(os.path.join(TOKENIZER, f), d)
    os.remove(os.path.join(d, 'generation_config.json'))
    with open(os.path.join(d, 'config.json')) as f:
        cfg5 = json.load(f)
    cfg4 = v4_spelling({**cfg5, '_name': name}, kwargs)
    with open(os.path.join(d, 'config.v4.json'), 'w') as f:
        json.dump(cfg4, f, indent=2)
    # transformers reads the 4.x spelling to the same model
    with tempfile.TemporaryDirectory() as tmp:
        for f in os.listdir(d):
            shutil.copy(os.path.join(d, f), tmp)
        shutil.copy(os.path.join(d, 'config.v4.json'), os.path.join(tmp, 'config.json'))
        logits4, greedy4, _ = measure(tmp, tokens, prompt)
    assert torch.equal(logits, logits4) and greedy == greedy4, f'{name}: the 4.x spelling gives other logits'
    with open(os.path.join(d, 'expected.json'), 'w') as f:
        json.dump({'tokens': tokens, 'logits': [[round(v, 5) for v in row] for row in logits.tolist()],
                   'greedy': {'prompt': prompt, 'tokens': greedy, 'min_margin': margin}, 'seed': seed}, f)
    print(f'{name}: seed {seed}, min greedy margin {margin:.4f}, rope {cfg5.get("rope_parameters")}')


def rope_freqs():
    out = {}
    for name, (extra, rope, seq_len) in ROPE_CASES.items():
        cfg = LlamaConfig(hidden_size=extra['head_dim'] * 4, num_attention_heads=4, rope_parameters=dict(rope),
                          max_position_embeddings=extra['max_position_embeddings'], head_dim=extra['head_dim'])
        kwargs = {} if seq_len is None else {'seq_len': seq_len}
        inv, scale = ROPE_INIT_FUNCTIONS[rope['rope_type']](cfg, None, **kwargs)
        out[name] = {'config': {'model_type': 'llama', 'hidden_size': extra['head_dim'] * 4, 'num_attention_heads': 4,
                                'head_dim': extra['head_dim'], 'max_position_embeddings': extra['max_position_embeddings'],
                                'rope_parameters': rope},
                     'seq_len': seq_len, 'inv_freq': inv.tolist(), 'attention_scaling': float(scale)}
    with open(os.path.join(OUT, 'rope_freqs.json'), 'w') as f:
        json.dump(out, f)


def main():
    assert transformers.__version__.startswith('5.'), transformers.__version__
    os.makedirs(OUT, exist_ok=True)
    for name, (cls, kwargs) in FAMILIES.items():
        write_family(name, cls, kwargs)
    rope_freqs()
    print('wrote', os.path.abspath(OUT))


if __name__ == '__main__':
    main()
