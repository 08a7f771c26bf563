# Writes test/fixtures/lmhead/lmhead.json: lm_head + log-softmax + gather of the target, and entropy, in PyTorch
# (the reference for src/tensor/ops/lmhead.ts): hidden (N, C), weight (V, C), targets (N, -1 = unscored),
# temperature; outputs logp (N), entropy (N), and the gradients of sum(logp * gout) to hidden and weight.
# Run: /work/venv/bin/python scripts/ref/lmhead_fixture.py  (torch CPU, float64 math rounded to float32 at the end)
import json, pathlib
import torch

torch.manual_seed(0)
N, C, V, tau = 9, 16, 53, 0.7
h = (torch.randn(N, C, dtype=torch.float64) * 0.8).float()
w = (torch.randn(V, C, dtype=torch.float64) * 0.5).float()
targets = torch.randint(0, V, (N,))
targets[[0, 4, 8]] = -1  # unscored rows (prompt / padding positions)
gout = torch.randn(N).float()

hh = h.double().requires_grad_(True)
ww = w.double().requires_grad_(True)
logits = hh @ ww.T / tau  # (N, V)
lsm = torch.log_softmax(logits, dim=-1)
valid = targets >= 0
logp = torch.where(valid, lsm.gather(1, targets.clamp(min=0)[:, None])[:, 0], torch.zeros(N, dtype=torch.float64))
ent = torch.where(valid, -(lsm.exp() * lsm).sum(-1), torch.zeros(N, dtype=torch.float64))
(logp * gout.double()).sum().backward()

f = lambda t: [float(x) for x in t.detach().float().reshape(-1)]
out = {
    'N': N, 'C': C, 'V': V, 'temperature': tau,
    'hidden': f(h), 'weight': f(w), 'targets': [int(x) for x in targets], 'gout': f(gout),
    'logp': f(logp), 'entropy': f(ent), 'dhidden': f(hh.grad), 'dweight': f(ww.grad),
}
path = pathlib.Path(__file__).resolve().parents[2] / 'test' / 'fixtures' / 'lmhead' / 'lmhead.json'
path.write_text(json.dumps(out) + '\n')
print(f'wrote {path}')
