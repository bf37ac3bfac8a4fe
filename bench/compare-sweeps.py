#!/usr/bin/env python3
"""bench/compare-sweeps.py OLD NEW: compares the reference sweeps (bench/reference-sweeps.sh) of two code versions: candidates (keys, accuracies, seeds, params, FLOPs, status,
origin, parents, genotype, metrics except timings), async tell order, DARTS epochs/alphas, OFA tables."""
import sys, os, glob
import pyarrow.parquet as pq
import pyarrow.dataset as ds
old, new = sys.argv[1], sys.argv[2]
TIMING = ("seconds", "latency", "time", "rss", "bytes")
def table(path, dataset):
    d = os.path.join(path, dataset)
    if not os.path.isdir(d): return None
    t = ds.dataset(d, format="parquet", partitioning="hive", exclude_invalid_files=True).to_table().to_pandas()
    return t
def cand_rows(path):
    t = table(path, "candidates")
    rows = []
    for _, r in t.iterrows():
        m = {k: v for k, v in (r["metrics"] or []) if not any(x in k for x in TIMING)}
        rows.append((int(r["round"]), r["candidate_id"], r["canonical_key"], r["genotype"], r["origin"], tuple(r["parents"]),
                     int(r["seed"]), r["status"], None if r["accuracy"] != r["accuracy"] else r["accuracy"],
                     r["test_accuracy"] if r["test_accuracy"] == r["test_accuracy"] else None,
                     r["params"], r["flops"], tuple(sorted(m.items())),
                     None if r.get("tell_seq") != r.get("tell_seq") else r.get("tell_seq"),
                     None if r.get("asked_before") != r.get("asked_before") else r.get("asked_before")))
    return sorted(rows, key=lambda x: (x[0], x[1]))
def generic(path, dataset, drop):
    t = table(path, dataset)
    if t is None: return None
    t = t.drop(columns=[c for c in t.columns if any(x in c for x in drop)])
    return sorted(map(tuple, t.astype(str).values.tolist()))
ok = True
for name in sorted(os.listdir(old)):
    o, n = os.path.join(old, name), os.path.join(new, name)
    if not os.path.isdir(o): continue
    if not os.path.isdir(n):
        print(f"{name}: missing in {new}"); ok = False; continue
    a, b = cand_rows(o), cand_rows(n)
    same = a == b
    print(f"{name}: candidates {len(a)} rows vs {len(b)}: {'identical' if same else 'DIFFERENT'}")
    if not same:
        ok = False
        for x, y in zip(a, b):
            if x != y: print("   old", x, "\n   new", y); break
    for dataset, drop in [("darts_epochs", ("seconds", "executor", "host")), ("darts_alphas", ()),
                          ("ofa_epochs", ("seconds", "executor", "host"))]:
        x, y = generic(o, dataset, drop), generic(n, dataset, drop)
        if x is None and y is None: continue
        s = x == y
        print(f"{name}: {dataset} {0 if x is None else len(x)} rows vs {0 if y is None else len(y)}: {'identical' if s else 'DIFFERENT'}")
        ok &= s
print("ALL IDENTICAL" if ok else "DIFFERENCES FOUND")
