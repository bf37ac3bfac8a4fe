"""How far two sweeps over the same cells agree: Kendall's tau-b and Spearman's rho of their validation accuracies.

    python bench/oneshot-agreement.py SWEEP_A SWEEP_B     (e.g. a oneshot sweep and the proxy-trained one)

Cells are matched by genotype; only cells OK in both count. Needs pandas and pyarrow (notebooks/requirements.txt).
"""
import sys

import numpy as np
import pandas as pd


def kendall_tau_b(x, y):
    conc = disc = tx = ty = 0
    for i in range(len(x)):
        for j in range(i + 1, len(x)):
            dx, dy = np.sign(x[i] - x[j]), np.sign(y[i] - y[j])
            if dx == 0 and dy == 0:
                continue
            if dx == 0:
                tx += 1
            elif dy == 0:
                ty += 1
            elif dx == dy:
                conc += 1
            else:
                disc += 1
    return (conc - disc) / np.sqrt((conc + disc + tx) * (conc + disc + ty))


def main(a_dir, b_dir):
    cols = ["genotype", "accuracy", "status"]
    a = pd.read_parquet(a_dir + "/candidates")[cols]
    b = pd.read_parquet(b_dir + "/candidates")[cols]
    m = a.merge(b, on="genotype", suffixes=("_a", "_b"))
    m = m[(m.status_a == "OK") & (m.status_b == "OK")]
    x, y = m.accuracy_a.values, m.accuracy_b.values
    rho = pd.Series(x).rank().corr(pd.Series(y).rank())
    print(f"cells {len(m)}  kendall tau-b {kendall_tau_b(x, y):.3f}  spearman {rho:.3f}")
    for name, v in (("A", x), ("B", y)):
        print(f"{name} accuracy: mean {v.mean():.3f}  min {v.min():.3f}  max {v.max():.3f}")
    best = m.sort_values("accuracy_b", ascending=False).iloc[0]
    print(f"B's best {best.genotype} ({best.accuracy_b:.3f}) is {int((x > best.accuracy_a).sum()) + 1} of {len(m)} by A")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
