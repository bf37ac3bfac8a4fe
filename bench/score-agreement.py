"""How well each zero-cost proxy of a score sweep ranks the cells a search sweep trained: Spearman's rho and
Kendall's tau-b of every proxy against the trained validation accuracy, over the cells in both (the DARTS space has
no table, so a proxy-trained sweep is the reference).

    python bench/score-agreement.py SCORES SWEEP     (a ./sparknas score output and a ./sparknas search output)

Cells are matched by genotype; only cells OK in the sweep with a finite value of the proxy count. Needs pandas and
pyarrow (notebooks/requirements.txt).
"""
import importlib.util
import pathlib
import sys

import numpy as np
import pandas as pd

_spec = importlib.util.spec_from_file_location("agreement", pathlib.Path(__file__).with_name("oneshot-agreement.py"))
_agreement = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_agreement)


def main(scores_dir, sweep_dir):
    s = pd.read_parquet(scores_dir + "/scores")[["genotype", "scores"]]
    s["scores"] = s.scores.apply(dict)
    c = pd.read_parquet(sweep_dir + "/candidates")[["genotype", "accuracy", "status"]]
    m = s.merge(c[c.status == "OK"], on="genotype")
    print(f"{len(m)} cells scored and trained OK; accuracy {m.accuracy.min():.3f}-{m.accuracy.max():.3f}")
    print("| proxy | cells | Spearman | Kendall tau-b |")
    print("|---|---|---|---|")
    for p in sorted({k for d in m.scores for k in d}):
        v = m.scores.apply(lambda d: d.get(p, np.nan)).astype(float)
        ok = np.isfinite(v)
        x, y = v[ok].values, m.accuracy[ok].values
        rho = pd.Series(x).rank().corr(pd.Series(y).rank())
        print(f"| {p} | {ok.sum()} | {rho:.3f} | {_agreement.kendall_tau_b(x, y):.3f} |")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
