#!/work/venv/bin/python
# The TRL side of `r1 bench grpo --compare-trl`: TRL's GRPOTrainer on the checkpoint folder, prompts and settings r1ts
# used (argv[1]: JSON {model, prompts: [{prompt, answer}], per_device_train_batch_size, num_generations,
# max_completion_length, num_iterations, beta, epsilon, bf16, learning_rate, steps, threads, seed,
# gradient_accumulation_steps, gradient_checkpointing}). Prints one JSON
# line: seconds per optimizer update (step time minus generation), seconds per sampled batch, peak RSS.
# Not a fixture writer and not run in CI. Run by the r1 CLI with the interpreter the user names (--python).
import json
import os
import resource
import sys
import tempfile
import time

a = json.loads(sys.argv[1])
import torch  # noqa: E402

torch.set_num_threads(a['threads'])
import trl  # noqa: E402
from datasets import Dataset  # noqa: E402
from transformers import TrainerCallback  # noqa: E402
from trl import GRPOConfig, GRPOTrainer  # noqa: E402


def accuracy(completions, answer, **_):
    """1 where the gold answer appears in the completion's last 64 characters (as cheap as r1ts' rule rewards)."""
    return [1.0 if str(g) in c[-64:] else 0.0 for c, g in zip(completions, answer)]


class StepTimes(TrainerCallback):
    def __init__(self):
        self.steps = []
        self.t0 = 0.0

    def on_step_begin(self, args, state, control, **kw):
        self.t0 = time.perf_counter()

    def on_step_end(self, args, state, control, **kw):
        self.steps.append(time.perf_counter() - self.t0)


P = len(a['prompts']) // a['steps']
ds = Dataset.from_list([{'prompt': p['prompt'], 'answer': str(p['answer'])} for p in a['prompts']])
out = tempfile.mkdtemp(prefix='trl-bench-')
cfg = GRPOConfig(
    output_dir=out, per_device_train_batch_size=a['per_device_train_batch_size'],
    gradient_accumulation_steps=a['gradient_accumulation_steps'],  # steps_per_generation defaults to it: one generation batch
   
    gradient_checkpointing=a['gradient_checkpointing'],  # TRL's GRPOConfig defaults to True: pass ours, so both sides match
    num_generations=a['num_generations'], max_completion_length=a['max_completion_length'],
    num_iterations=a['num_iterations'], beta=a['beta'], epsilon=a['epsilon'], bf16=a['bf16'], use_cpu=True,
    learning_rate=a['learning_rate'], max_steps=a['steps'] * a['num_iterations'], shuffle_dataset=False,
    temperature=1.0, top_p=1.0, logging_steps=1, save_strategy='no', report_to=[], seed=a['seed'],
    dataloader_num_workers=0, disable_tqdm=True, model_init_kwargs={'dtype': torch.float32},
)
times = StepTimes()
trainer = GRPOTrainer(model=a['model'], reward_funcs=accuracy, args=cfg, train_dataset=ds, callbacks=[times])
gen = {'s': 0.0, 'n': 0}
inner = trainer._generate


def timed_generate(*args, **kw):
    t0 = time.perf_counter()
    r = inner(*args, **kw)
    gen['s'] += time.perf_counter() - t0
    gen['n'] += 1
    return r


trainer._generate = timed_generate
t0 = time.perf_counter()
trainer.train()
total = time.perf_counter() - t0
updates = len(times.steps)
print(json.dumps({
    'update_s': (sum(times.steps) - gen['s']) / updates, 'sampling_s': gen['s'] / max(1, gen['n']),
    'peak_rss_gb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 'updates': updates, 'generations': gen['n'],
    'step_seconds': times.steps, 'total_s': total, 'threads': a['threads'], 'torch': torch.__version__, 'trl': trl.__version__,
    'prompts_per_generation': P,
}))
