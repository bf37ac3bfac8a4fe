"""The peer of `./sparknas bench-darts --mode epoch`: the same DARTS supernet and search steps, in PyTorch.

As sparknas's DJL DartsSupernet / DartsSearch (and DARTS's model_search.py / architect.py): mixed operations over
the 8 DARTS primitives with non-affine BatchNorm (pools followed by one), one alpha matrix per cell type, cells of
4 nodes, a 3x3 stem; every step an Adam step on alpha from a validation batch (first order, or second order with the
unrolled weights and the finite-difference Hessian-vector product), then an SGD step on the weights (momentum 0.9,
weight decay 3e-4, clip 5) from a training batch; at the end of an epoch, inference on the validation images.
Random images of the benchmark's shape (timing does not depend on pixel values).

usage: python3 bench/pytorch_darts_search.py --channels 8 --layers 5 --size 16 --batch 32 --images 500 --epochs 4
Prints one JSON line per epoch and a summary line (median over epochs after the first).
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRIMITIVES = ['none', 'max_pool_3x3', 'avg_pool_3x3', 'skip_connect', 'sep_conv_3x3', 'sep_conv_5x5',
              'dil_conv_3x3', 'dil_conv_5x5']


class FactorizedReduce(nn.Module):
    def __init__(self, c_in, c_out, affine):
        super().__init__()
        self.c1 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.c2 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(c_out, affine=affine)

    def forward(self, x):
        x = F.relu(x)
        return self.bn(torch.cat([self.c1(x), self.c2(x[:, :, 1:, 1:])], dim=1))


def relu_conv_bn(c_in, c_out, k, stride, pad, affine):
    return nn.Sequential(nn.ReLU(), nn.Conv2d(c_in, c_out, k, stride, pad, bias=False),
                         nn.BatchNorm2d(c_out, affine=affine))


def dw_pw_bn(c, k, stride, dilation, affine):
    pad = dilation * (k - 1) // 2
    return nn.Sequential(nn.ReLU(), nn.Conv2d(c, c, k, stride, pad, dilation=dilation, groups=c, bias=False),
                         nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c, affine=affine))


def op(name, c, stride):
    if name == 'skip_connect':
        return nn.Identity() if stride == 1 else FactorizedReduce(c, c, False)
    if name == 'max_pool_3x3':
        return nn.Sequential(nn.MaxPool2d(3, stride, 1), nn.BatchNorm2d(c, affine=False))
    if name == 'avg_pool_3x3':
        return nn.Sequential(nn.AvgPool2d(3, stride, 1, count_include_pad=False), nn.BatchNorm2d(c, affine=False))
    k = 5 if name.endswith('5x5') else 3
    if name.startswith('sep_conv'):
        return nn.Sequential(dw_pw_bn(c, k, stride, 1, False), dw_pw_bn(c, k, 1, 1, False))
    if name.startswith('dil_conv'):
        return dw_pw_bn(c, k, stride, 2, False)
    raise ValueError(name)


class MixedOp(nn.Module):
    def __init__(self, c, stride):
        super().__init__()
        self.ops = nn.ModuleList([None if p == 'none' else op(p, c, stride) for p in PRIMITIVES])

    def forward(self, x, w):
        return sum(w[i] * o(x) for i, o in enumerate(self.ops) if o is not None)


class Cell(nn.Module):
    def __init__(self, nodes, c_pp, c_p, c, reduction, reduction_prev):
        super().__init__()
        self.pre0 = FactorizedReduce(c_pp, c, False) if reduction_prev else relu_conv_bn(c_pp, c, 1, 1, 0, False)
        self.pre1 = relu_conv_bn(c_p, c, 1, 1, 0, False)
        self.nodes = nodes
        self.edges = nn.ModuleList()
        for i in range(nodes):
            for j in range(i + 2):
                self.edges.append(MixedOp(c, 2 if reduction and j < 2 else 1))

    def forward(self, s0, s1, weights):
        states = [self.pre0(s0), self.pre1(s1)]
        offset = 0
        for _ in range(self.nodes):
            s = sum(self.edges[offset + j](h, weights[offset + j]) for j, h in enumerate(states))
            offset += len(states)
            states.append(s)
        return torch.cat(states[2:], dim=1)


class Supernet(nn.Module):
    def __init__(self, c_in, classes, c, layers, nodes=4, stem_multiplier=3):
        super().__init__()
        stem = stem_multiplier * c
        self.stem = nn.Sequential(nn.Conv2d(c_in, stem, 3, padding=1, bias=False), nn.BatchNorm2d(stem))
        c_pp, c_p, c_cur = stem, stem, c
        self.cells = nn.ModuleList()
        self.reductions = []
        reduction_prev = False
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c_cur *= 2
            self.cells.append(Cell(nodes, c_pp, c_p, c_cur, reduction, reduction_prev))
            self.reductions.append(reduction)
            reduction_prev = reduction
            c_pp, c_p = c_p, nodes * c_cur
        self.classifier = nn.Linear(c_p, classes)
        edges = nodes * (nodes + 3) // 2
        self.alphas = [(1e-3 * torch.randn(edges, len(PRIMITIVES))).requires_grad_(True) for _ in range(2)]

    def weights(self):
        return [p for n, p in self.named_parameters()]

    def forward(self, x):
        s0 = s1 = self.stem(x)
        wn, wr = F.softmax(self.alphas[0], dim=-1), F.softmax(self.alphas[1], dim=-1)
        for cell, red in zip(self.cells, self.reductions):
            s0, s1 = s1, cell(s0, s1, wr if red else wn)
        return self.classifier(F.adaptive_avg_pool2d(s1, 1).flatten(1))


def second_order_grad(net, opt, xt, yt, xv, yv, lr):
    """DARTS architect.py: unrolled w' and the finite-difference Hessian-vector product."""
    ws = net.weights()
    loss = F.cross_entropy(net(xt), yt)
    g = torch.autograd.grad(loss, ws)
    saved = [w.detach().clone() for w in ws]
    with torch.no_grad():
        for w, gi in zip(ws, g):
            buf = opt.state[w].get('momentum_buffer') if w in opt.state else None
            d = gi + 3e-4 * w + (0.9 * buf if buf is not None else 0)
            w.sub_(lr * d)
    lv = F.cross_entropy(net(xv), yv)
    grads = torch.autograd.grad(lv, net.alphas + ws)
    da, dw = grads[:2], grads[2:]
    r = 0.01 / torch.cat([x.flatten() for x in dw]).norm()
    with torch.no_grad():
        for w, s, v in zip(ws, saved, dw):
            w.copy_(s + r * v)
    gp = torch.autograd.grad(F.cross_entropy(net(xt), yt), net.alphas)
    with torch.no_grad():
        for w, s, v in zip(ws, saved, dw):
            w.copy_(s - r * v)
    gn = torch.autograd.grad(F.cross_entropy(net(xt), yt), net.alphas)
    with torch.no_grad():
        for w, s in zip(ws, saved):
            w.copy_(s)
    return [a - lr * (p - n) / (2 * r) for a, p, n in zip(da, gp, gn)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--channels', type=int, default=8)
    p.add_argument('--layers', type=int, default=5)
    p.add_argument('--size', type=int, default=16)
    p.add_argument('--batch', type=int, default=32)
    p.add_argument('--images', type=int, default=500, help='training images, and as many validation images')
    p.add_argument('--epochs', type=int, default=4)
    p.add_argument('--order', type=int, default=1)
    p.add_argument('--threads', type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = Supernet(1, 10, a.channels, a.layers)
    opt = torch.optim.SGD(net.weights(), lr=0.025, momentum=0.9, weight_decay=3e-4)
    arch = torch.optim.Adam(net.alphas, lr=3e-4, betas=(0.5, 0.999), weight_decay=1e-3)
    xt, yt = torch.randn(a.images, 1, a.size, a.size), torch.randint(0, 10, (a.images,))
    xv, yv = torch.randn(a.images, 1, a.size, a.size), torch.randint(0, 10, (a.images,))
    steps = a.images // a.batch
    times = []
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        net.train()
        for s in range(steps):
            b = slice(s * a.batch, (s + 1) * a.batch)
            arch.zero_grad()
            if a.order == 1:
                F.cross_entropy(net(xv[b]), yv[b]).backward()
            else:
                for alpha, g in zip(net.alphas, second_order_grad(net, opt, xt[b], yt[b], xv[b], yv[b], 0.025)):
                    alpha.grad = g
            arch.step()
            opt.zero_grad()
            loss = F.cross_entropy(net(xt[b]), yt[b])
            loss.backward()
            nn.utils.clip_grad_norm_(net.weights(), 5)
            opt.step()
            float(loss)
        net.eval()
        with torch.no_grad():
            for i in range(0, a.images, 256):
                net(xv[i:i + 256]).argmax(1)
        times.append(time.perf_counter() - t0)
        print(json.dumps(dict(peer='pytorch', epoch=epoch, seconds=round(times[-1], 3))))
    t = sorted(times[1:])
    print(json.dumps(dict(peer='pytorch', mode='epoch', order=a.order, torch=torch.__version__,
                          threads=torch.get_num_threads(), steps_per_epoch=steps, median_s=statistics.median(t),
                          min_s=t[0], max_s=t[-1], epochs_timed=len(t))))


if __name__ == '__main__':
    main()
