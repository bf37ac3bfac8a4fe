"""The peer of `./sparknas bench-train-step`: the same DARTS proxy network, in PyTorch, timed the same way.

Layer for layer as sparknas's DJL DartsNetwork (DARTS's NetworkCIFAR without the auxiliary head): 3x3 stem,
cells with ReLU-conv1x1-BN preprocessing, separable/dilated convolutions, factorized reduce, global average
pooling, linear classifier; SGD with momentum 0.9 and weight decay 3e-4 after clip_grad_norm_ (5, as the proxy
estimator's default), softmax cross-entropy.

usage: python3 bench/pytorch_darts_step.py --genotype V2 --channels 16 --layers 3 --batch 64 --repeats 30
Prints one JSON line: median and spread of the step time in ms, thread count, torch version.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

DARTS_V1 = dict(normal=[('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 0), ('sep_conv_3x3', 1),
                        ('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('skip_connect', 2)],
                reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 0),
                        ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('avg_pool_3x3', 0)])
DARTS_V2 = dict(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1),
                        ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)],
                reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1),
                        ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)])


class FactorizedReduce(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.c1 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.c2 = nn.Conv2d(c_in, c_out // 2, 1, stride=2, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        x = F.relu(x)
        return self.bn(torch.cat([self.c1(x), self.c2(x[:, :, 1:, 1:])], dim=1))


def relu_conv_bn(c_in, c_out, k, stride, pad):
    return nn.Sequential(nn.ReLU(), nn.Conv2d(c_in, c_out, k, stride, pad, bias=False), nn.BatchNorm2d(c_out))


def dw_pw_bn(c, k, stride, dilation):
    pad = dilation * (k - 1) // 2
    return nn.Sequential(nn.ReLU(), nn.Conv2d(c, c, k, stride, pad, dilation=dilation, groups=c, bias=False),
                         nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c))


class Zero(nn.Module):
    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        return x[:, :, ::self.stride, ::self.stride].mul(0.)


def op(name, c, stride):
    if name == 'none':
        return Zero(stride)
    if name == 'skip_connect':
        return nn.Identity() if stride == 1 else FactorizedReduce(c, c)
    if name == 'max_pool_3x3':
        return nn.MaxPool2d(3, stride, 1)
    if name == 'avg_pool_3x3':
        return nn.AvgPool2d(3, stride, 1, count_include_pad=False)
    k = 5 if name.endswith('5x5') else 3
    if name.startswith('sep_conv'):
        return nn.Sequential(dw_pw_bn(c, k, stride, 1), dw_pw_bn(c, k, 1, 1))
    if name.startswith('dil_conv'):
        return dw_pw_bn(c, k, stride, 2)
    raise ValueError(name)


class Cell(nn.Module):
    def __init__(self, edges, c_pp, c_p, c, reduction, reduction_prev):
        super().__init__()
        self.pre0 = FactorizedReduce(c_pp, c) if reduction_prev else relu_conv_bn(c_pp, c, 1, 1, 0)
        self.pre1 = relu_conv_bn(c_p, c, 1, 1, 0)
        self.edges = edges
        self.ops = nn.ModuleList([op(n, c, 2 if reduction and i < 2 else 1) for n, i in edges])

    def forward(self, s0, s1):
        states = [self.pre0(s0), self.pre1(s1)]
        for node in range(len(self.edges) // 2):
            a, b = 2 * node, 2 * node + 1
            states.append(self.ops[a](states[self.edges[a][1]]) + self.ops[b](states[self.edges[b][1]]))
        return torch.cat(states[2:], dim=1)


class Network(nn.Module):
    def __init__(self, genotype, c_in, classes, c, layers, stem_multiplier=3):
        super().__init__()
        stem = stem_multiplier * c
        self.stem = nn.Sequential(nn.Conv2d(c_in, stem, 3, padding=1, bias=False), nn.BatchNorm2d(stem))
        c_pp, c_p, c_cur = stem, stem, c
        self.cells = nn.ModuleList()
        reduction_prev = False
        for i in range(layers):
            reduction = i in (layers // 3, 2 * layers // 3)
            if reduction:
                c_cur *= 2
            edges = genotype['reduce' if reduction else 'normal']
            self.cells.append(Cell(edges, c_pp, c_p, c_cur, reduction, reduction_prev))
            reduction_prev = reduction
            c_pp, c_p = c_p, 4 * c_cur
        self.classifier = nn.Linear(c_p, classes)

    def forward(self, x):
        s0 = s1 = self.stem(x)
        for cell in self.cells:
            s0, s1 = s1, cell(s0, s1)
        return self.classifier(F.adaptive_avg_pool2d(s1, 1).flatten(1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--genotype', default='V2', choices=['V1', 'V2'])
    p.add_argument('--channels', type=int, default=16)
    p.add_argument('--layers', type=int, default=3)
    p.add_argument('--batch', type=int, default=64)
    p.add_argument('--repeats', type=int, default=30)
    p.add_argument('--warmup', type=int, default=5)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--grad-clip', type=float, default=5.0, help='clip_grad_norm_ (0 = off), as the proxy default')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = Network(DARTS_V1 if a.genotype == 'V1' else DARTS_V2, 1, 10, a.channels, a.layers)
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=3e-4)
    x = torch.randn(a.batch, 1, 28, 28)
    y = torch.randint(0, 10, (a.batch,))
    times = []
    for i in range(a.warmup + a.repeats):
        t0 = time.perf_counter()
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        if a.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(net.parameters(), a.grad_clip)
        opt.step()
        float(loss)
        if i >= a.warmup:
            times.append((time.perf_counter() - t0) * 1000)
    params = sum(p.numel() for p in net.parameters())
    q = statistics.quantiles(times, n=4)
    print(json.dumps(dict(peer='pytorch', torch=torch.__version__, threads=torch.get_num_threads(), params=params,
                          grad_clip=a.grad_clip,
                          median_ms=statistics.median(times), q1_ms=q[0], q3_ms=q[2], repeats=a.repeats)))


if __name__ == '__main__':
    main()
