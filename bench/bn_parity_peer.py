"""PyTorch half of `npm run bench:bn-parity` (bench/bn-parity.ts writes the data and reads the result).

The model Polyhead builds from the bench's spec: `depth` blocks of conv 3x3 (no bias) + batch
norm + ReLU + max-pool 2, flatten, dense + ReLU, logits; Glorot-uniform weights and zero biases
as Keras; batch norm with PyTorch's defaults (momentum 0.1 = Keras 0.9, running statistics) and
Keras' epsilon 1e-3; Adam; evaluation in eval mode (running statistics) after every epoch.

usage: bn_parity_peer.py DATA_DIR SEED EPOCHS BATCH LR THREADS
DATA_DIR holds meta.json, train-x.f32, train-y.u8, val-x.f32, val-y.u8 (NHWC floats, as Polyhead
decodes them). Prints one JSON line: {"seed", "validation": [accuracy per epoch], "train": [...]}.
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

data_dir, seed, epochs, batch, lr, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
torch.set_num_threads(threads)
torch.manual_seed(seed)
meta = json.load(open(os.path.join(data_dir, 'meta.json')))
h, w, c = meta['height'], meta['width'], meta['channels']


def load(split):
    x = np.fromfile(os.path.join(data_dir, f'{split}-x.f32'), dtype=np.float32).reshape(-1, h, w, c)
    y = np.fromfile(os.path.join(data_dir, f'{split}-y.u8'), dtype=np.uint8).astype(np.int64)
    return torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(y)


train_x, train_y = load('train')
val_x, val_y = load('val')
trunk = meta['trunk']
layers, channels = [], c
for b in range(trunk['depth']):
    filters = round(trunk['width'] * trunk['growth'] ** b)
    layers += [nn.Conv2d(channels, filters, 3, padding=1, bias=False), nn.BatchNorm2d(filters, eps=1e-3, momentum=0.1), nn.ReLU(), nn.MaxPool2d(2)]
    channels = filters
side_h, side_w = h // 2 ** trunk['depth'], w // 2 ** trunk['depth']
model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(channels * side_h * side_w, trunk['dense']), nn.ReLU(), nn.Linear(trunk['dense'], meta['classes']))
for m in model.modules():
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.xavier_uniform_(m.weight)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
optimizer = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)


def accuracy(x, y):
    model.eval()
    with torch.no_grad():
        correct = sum((model(x[i : i + 256]).argmax(1) == y[i : i + 256]).sum().item() for i in range(0, len(y), 256))
    return correct / len(y)


curve, train_curve = [], []
generator = torch.Generator().manual_seed(seed)
for epoch in range(epochs):
    model.train()
    order = torch.randperm(len(train_y), generator=generator)
    correct = 0
    for i in range(0, len(order), batch):
        idx = order[i : i + batch]
        logits = model(train_x[idx])
        loss = F.cross_entropy(logits, train_y[idx])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        correct += (logits.argmax(1) == train_y[idx]).sum().item()
    train_curve.append(correct / len(train_y))
    curve.append(accuracy(val_x, val_y))
print(json.dumps({'seed': seed, 'torch': torch.__version__, 'validation': curve, 'train': train_curve}))
