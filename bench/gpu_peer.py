"""PyTorch half of `npm run bench:gpu`: the bench:train house-number model (conv 32/64/128 +
dense 256, a length head, 5 digit heads masked by length, a font head behind gradient reversal
lambda=0.05; 64x64x1, Adam 1e-3) on the GPU when torch.cuda is available, else on the CPU.

usage: gpu_peer.py BATCH STEPS THREADS
Each step ends with loss.item() (a sync), as the Polyhead side ends each step with one read.
Prints one JSON line: device, torch version, median ms per train step and per inference batch.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

B, STEPS, THREADS = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
LAMBDA = 0.05
torch.set_num_threads(THREADS)
torch.manual_seed(0)
dev = torch.device('cuda' if torch.cuda.is_available() else 'cpu')


class GradReverse(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, lam):
        ctx.lam = lam
        return x.view_as(x)

    @staticmethod
    def backward(ctx, g):
        return -ctx.lam * g, None


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        c, layers = 1, []
        for f in (32, 64, 128):
            layers += [nn.Conv2d(c, f, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            c = f
        self.trunk = nn.Sequential(*layers, nn.Flatten(), nn.Linear(128 * 8 * 8, 256), nn.ReLU())
        self.len = nn.Linear(256, 7)
        self.digits = nn.ModuleList([nn.Linear(256, 10) for _ in range(5)])
        self.font = nn.Linear(256, 8)

    def forward(self, x):
        h = self.trunk(x)
        return [self.len(h)] + [d(h) for d in self.digits] + [self.font(GradReverse.apply(h, LAMBDA))]


def loss_fn(outs, ln, dg, ft):
    tot = F.cross_entropy(outs[0], ln, reduction='none')
    for i in range(5):
        mask = (ln > i).float()
        tot = tot + mask * F.cross_entropy(outs[1 + i], dg[:, i], reduction='none')
    tot = tot + F.cross_entropy(outs[6], ft, reduction='none')
    return tot.mean()


m = Net().to(dev)
opt = torch.optim.Adam(m.parameters(), 1e-3)
x = torch.randn(B, 1, 64, 64, device=dev)
ln = torch.randint(0, 6, (B,), device=dev)
dg = torch.randint(0, 10, (B, 5), device=dev)
ft = torch.randint(0, 8, (B,), device=dev)

train, losses = [], []
for s in range(STEPS + 3):
    t0 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss = loss_fn(m(x), ln, dg, ft)
    loss.backward()
    opt.step()
    losses.append(loss.item())
    if s >= 3:
        train.append((time.perf_counter() - t0) * 1000)
m.eval()
infer = []
with torch.no_grad():
    for s in range(STEPS + 3):
        t0 = time.perf_counter()
        probs = [torch.softmax(o, 1) for o in m(x)]
        _ = [p.cpu() for p in probs]
        if s >= 3:
            infer.append((time.perf_counter() - t0) * 1000)
name = torch.cuda.get_device_name(0) if dev.type == 'cuda' else f'cpu, {torch.get_num_threads()} threads'
print(json.dumps({
    'device': f'{dev.type} ({name})', 'torch': torch.__version__, 'params': sum(p.numel() for p in m.parameters()),
    'trainMsPerStep': statistics.median(train), 'inferMsPerBatch': statistics.median(infer), 'loss': [losses[0], losses[-1]],
}))
