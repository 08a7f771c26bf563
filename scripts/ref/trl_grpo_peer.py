# TRL's GRPOTrainer on the same checkpoint and prompts as an r1 grpo run, timed the same way: seconds per optimizer
# update (its generation excluded), seconds of sampling, and the process's peak RSS. The peer for issue 21's bars.
# Not r1ts code and never needed at run time; `r1 bench grpo --compare-trl` (ckpt) is the user-facing comparison.
# usage: /work/venv/bin/python scripts/ref/trl_grpo_peer.py --model DIR --prompts FILE.jsonl ({"prompt": text} a line)
#        [--prompts-per-step 4 --num-generations 4 --max-completion-length 256 --num-iterations 2 --steps 1 --threads 2]
import argparse, json, resource, time
import torch
from datasets import Dataset
from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
from trl import GRPOConfig, GRPOTrainer

ap = argparse.ArgumentParser()
ap.add_argument('--model', required=True)
ap.add_argument('--prompts', required=True)
ap.add_argument('--prompts-per-step', type=int, default=4)
ap.add_argument('--num-generations', type=int, default=4)
ap.add_argument('--max-completion-length', type=int, default=256)
ap.add_argument('--num-iterations', type=int, default=2)
ap.add_argument('--steps', type=int, default=1)
ap.add_argument('--threads', type=int, default=2)
ap.add_argument('--gradient-checkpointing', action='store_true')
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)

prompts = [json.loads(l)['prompt'] for l in open(a.prompts) if l.strip()]
ds = Dataset.from_dict({'prompt': prompts})
tok = AutoTokenizer.from_pretrained(a.model)
if tok.pad_token is None:
    tok.pad_token = tok.eos_token
model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32)


def reward_len(completions, **kw):  # any reward with spread across a group; its value does not change the timing
    return [float(len(c) % 7) for c in completions]


rows = a.prompts_per_step * a.num_generations
cfg = GRPOConfig(
    output_dir='/tmp/trl_grpo_peer', per_device_train_batch_size=rows, gradient_accumulation_steps=1,
    num_generations=a.num_generations, max_completion_length=a.max_completion_length, num_iterations=a.num_iterations,
    beta=0.0, epsilon=0.2, bf16=True, use_cpu=True, learning_rate=1e-6, max_steps=a.steps * a.num_iterations,
    temperature=1.0, top_p=1.0, logging_steps=1, save_strategy='no', report_to=[], seed=1,
    gradient_checkpointing=a.gradient_checkpointing, dataloader_num_workers=0,
)
trainer = GRPOTrainer(model=model, reward_funcs=[reward_len], args=cfg, train_dataset=ds, processing_class=tok)

gen_seconds = []
orig = trainer._generate_and_score_completions


def timed(*args, **kw):
    t = time.perf_counter()
    out = orig(*args, **kw)
    gen_seconds.append(time.perf_counter() - t)
    return out


trainer._generate_and_score_completions = timed
step_seconds = []


class Timer(TrainerCallback):
    def on_step_begin(self, args, state, control, **kw):
        self.t, self.g = time.perf_counter(), sum(gen_seconds)

    def on_step_end(self, args, state, control, **kw):
        step_seconds.append(time.perf_counter() - self.t - (sum(gen_seconds) - self.g))


trainer.add_callback(Timer())
trainer.train()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1024 ** 3
print(json.dumps({'update_s': sum(step_seconds) / len(step_seconds), 'updates': step_seconds, 'sampling_s': sum(gen_seconds) / len(gen_seconds),
                  'peak_rss_gb': peak, 'settings': vars(a)}))
