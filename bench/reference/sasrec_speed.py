#!/usr/bin/env python3
"""PyTorch reference for `genrec bench speed`: the same SASRec training step, the same shapes, timed the same way.

Our own short script (not generative-recommenders' code): it mirrors GenRec's `sasrec` encoder as
configs/ml-1m-sasrec.json sets it up, so that sequences/s compare like for like on one GPU:
  item embedding (padding 0) * sqrt(D) + learned positions, dropout;
  per block: q = LN(x); x = q + MHA(q, x, x) (causal, dropout on the attention weights);
             x = x + dropout(W2 dropout(relu(W1 LN(x)))); x *= valid;
  final LN, L2-normalised states; items L2-normalised; dot product;
  sampled softmax with R local negatives per position (uniform over items, collisions with the
  positive masked), temperature T, scored against the whole catalogue then gathered;
  AdamW (0.9, 0.98), eps 1e-8. Batches: B rows of N + 1 uniformly random items (every position
  supervised), built on the host and copied once, as GenRec does.

  python3 bench/reference/sasrec_speed.py --device cuda --out bench/results/speed/gpu
writes speed-sasrec-pytorch-synthetic.json (sequences_per_second, device, torch version).
"""
import argparse
import json
import math
import os
import random
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, d, heads, dropout):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.dropout = nn.Dropout(dropout)

    def forward(self, query, key_value):
        b, n, d = query.shape
        split = lambda x: x.view(b, n, self.heads, d // self.heads).transpose(1, 2)  # [B, H, N, D/H]
        q, k, v = split(self.q(query)), split(self.k(key_value)), split(self.v(key_value))
        logits = q @ k.transpose(2, 3) / math.sqrt(d // self.heads)                 # [B, H, N, N]
        causal = torch.ones(n, n, dtype=torch.bool, device=query.device).tril()
        weights = self.dropout(logits.masked_fill(~causal, float("-inf")).softmax(-1))
        return self.o((weights @ v).transpose(1, 2).reshape(b, n, d))


class SasRec(nn.Module):
    def __init__(self, items, d, length, blocks, heads, hidden, dropout):
        super().__init__()
        self.d = d
        self.items = nn.Embedding(items + 1, d, padding_idx=0)
        self.positions = nn.Embedding(length, d)
        self.dropout = nn.Dropout(dropout)
        self.attention_norms = nn.ModuleList(nn.LayerNorm(d, eps=1e-8) for _ in range(blocks))
        self.attentions = nn.ModuleList(Attention(d, heads, dropout) for _ in range(blocks))
        self.ffn_norms = nn.ModuleList(nn.LayerNorm(d, eps=1e-8) for _ in range(blocks))
        self.inner = nn.ModuleList(nn.Linear(d, hidden) for _ in range(blocks))
        self.outer = nn.ModuleList(nn.Linear(hidden, d) for _ in range(blocks))
        self.final = nn.LayerNorm(d, eps=1e-8)

    def forward(self, ids):                                                              # [B, N] -> [B, N, D]
        valid = ids.ne(0).unsqueeze(-1).to(torch.float32)
        x = self.items(ids) * math.sqrt(self.d) + self.positions(torch.arange(ids.shape[1], device=ids.device)).unsqueeze(0)
        x = self.dropout(x)
        for norm, attention, ffn_norm, inner, outer in zip(self.attention_norms, self.attentions, self.ffn_norms, self.inner, self.outer):
            q = norm(x)
            x = q + attention(q, x)
            h = ffn_norm(x)
            x = x + self.dropout(outer(self.dropout(F.relu(inner(h)))))
            x = x * valid
        return F.normalize(self.final(x), dim=-1)

    def item_vectors(self):                                                              # [I + 1, D]
        return F.normalize(self.items.weight, dim=-1)


def sampled_softmax(model, states, positives, negatives, temperature, generator):
    m = states.shape[0]
    items = model.item_vectors()
    positive = (states * items[positives]).sum(-1, keepdim=True)                           # [M, 1]
    ids = torch.randint(1, items.shape[0], (m, negatives), device=states.device, generator=generator)
    negative = (states @ items.t()).gather(1, ids)                                       # [M, R]
    negative = negative.masked_fill(ids.eq(positives.unsqueeze(1)), -5e4 * temperature)
    logits = torch.cat([positive, negative], 1) / temperature
    return -F.log_softmax(logits, 1)[:, 0].mean()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cuda")
    p.add_argument("--items", type=int, default=3706)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--length", type=int, default=200)
    p.add_argument("--dim", type=int, default=50)
    p.add_argument("--blocks", type=int, default=2)
    p.add_argument("--heads", type=int, default=1)
    p.add_argument("--hidden", type=int, default=50)
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--negatives", type=int, default=128)
    p.add_argument("--temperature", type=float, default=0.05)
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--tf32", type=int, default=1)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--out", default="bench/results/gpu")
    a = p.parse_args()
    device = torch.device(a.device)
    torch.backends.cuda.matmul.allow_tf32 = bool(a.tf32)
    torch.backends.cudnn.allow_tf32 = bool(a.tf32)
    torch.manual_seed(a.seed)
    model = SasRec(a.items, a.dim, a.length, a.blocks, a.heads, a.hidden, a.dropout).to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.98), eps=1e-8, weight_decay=0.0)
    generator = torch.Generator(device=device).manual_seed(a.seed)
    rng = random.Random(a.seed)
    pinned = device.type == "cuda"
    start = None
    for step in range(a.warmup + a.steps):
        if step == a.warmup:
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            start = time.perf_counter()
        window = torch.tensor([rng.randint(1, a.items) for _ in range(a.batch * (a.length + 1))]).view(a.batch, a.length + 1)
        window = window.pin_memory().to(device, non_blocking=True) if pinned else window.to(device)
        states = model(window[:, :-1])
        loss = sampled_softmax(model, states.reshape(-1, a.dim), window[:, 1:].reshape(-1), a.negatives, a.temperature, generator)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    seconds = time.perf_counter() - start
    result = {
        "model": "speed-sasrec-pytorch",
        "dataset": "synthetic",
        "protocol": f"training steps on synthetic batches: {a.batch} rows x {a.length} positions, {a.items} items, every position supervised, sampled_softmax ({a.negatives} local negatives), AdamW; {a.steps} steps timed after {a.warmup}",
        "metrics": {"sequences_per_second": a.steps * a.batch / seconds, "steps_per_second": a.steps / seconds, "seconds": seconds},
        "config": vars(a),
        "device": f"{device} ({torch.cuda.get_device_name(device) if device.type == 'cuda' else 'cpu'}), torch {torch.__version__}",
    }
    os.makedirs(a.out, exist_ok=True)
    path = os.path.join(a.out, "speed-sasrec-pytorch-synthetic.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=2)
    print(f"pytorch sasrec: {result['metrics']['sequences_per_second']:.1f} sequences/s -> {path}")


if __name__ == "__main__":
    main()
