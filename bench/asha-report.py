#!/usr/bin/env python3
"""bench/asha-report.py OUT: the tables of bench/asha.sh. For each seed, regularized evolution at full fidelity
(re-sN) against ASHA with random search and with evolution (asha-random-sN, asha-evolution-sN): core-seconds (the
summed seconds of every evaluation job, one core each) to reach the full-fidelity sweep's best validation accuracy,
the best each reached at equal core-seconds, each winner's test accuracy, slot utilisation on the sweep's slots,
and the cost of a pause and resume (state bytes, seconds to save, load and copy)."""
import sys, os, statistics
import pyarrow.dataset as ds

out = sys.argv[1]
SLOTS = int(os.environ.get("SLOTS", "2"))


def rows(path, dataset):
    d = os.path.join(path, dataset)
    t = ds.dataset(d, format="parquet", partitioning="hive", exclude_invalid_files=True).to_table().to_pandas()
    return t


def jobs_of(df):
    return [(r["start_time"].timestamp(), r["end_time"].timestamp(), r) for _, r in df.iterrows()]


def spent_until(jobs, t):
    return sum(max(0.0, min(e, t) - s) for s, e, _ in jobs if s < t)


def utilisation(jobs):
    busy = sum(e - s for s, e, _ in jobs)
    span = max(e for _, e, _ in jobs) - min(s for s, _, _ in jobs)
    return busy / (SLOTS * span)


def first_reaching(jobs, target, top=None):
    ok = [(e, r) for s, e, r in jobs if r["status"] == "OK" and r["accuracy"] >= target - 1e-12
          and (top is None or r["epochs"] == top)]
    return min(ok, key=lambda x: x[0]) if ok else None


def best_within(jobs, budget, top=None):
    best = None
    for s, e, r in sorted(jobs, key=lambda j: j[1]):
        if spent_until(jobs, e) > budget + 1e-9:
            break
        if r["status"] == "OK" and (top is None or r["epochs"] == top):
            best = r if best is None or r["accuracy"] > best["accuracy"] else best
    return best


seeds = sorted({d.split("-s")[-1] for d in os.listdir(out) if d.startswith("re-s")})
print("| seed | run | candidates | core-s total | core-s to RE's best | ratio to RE's to-best | ratio to RE's total "
      "| best val | best val at ASHA's core-s | winner test | utilisation |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
ratios = {"random": [], "evolution": []}
overheads, state_bytes = [], []
for seed in seeds:
    re = rows(os.path.join(out, "re-s" + seed), "candidates")
    re_jobs = jobs_of(re)
    re_best = re[re.status == "OK"].sort_values(["accuracy", "candidate_id"], ascending=[False, True]).iloc[0]
    re_total = sum(e - s for s, e, _ in re_jobs)
    t_best, _ = first_reaching(re_jobs, re_best["accuracy"])
    re_to_best = spent_until(re_jobs, t_best)
    print(f"| {seed} | RE, 8 epochs each | {len(re)} | {re_total:.0f} | {re_to_best:.0f} | 1 | - | "
          f"{re_best['accuracy']:.4f} | - | {re_best['test_accuracy']:.4f} | {utilisation(re_jobs):.3f} |")
    for strategy in ("random", "evolution"):
        path = os.path.join(out, f"asha-{strategy}-s{seed}")
        if not os.path.isdir(path):
            continue
        ev = rows(path, "rungs")
        res = ev[ev.event == "result"]
        jobs = jobs_of(res)
        top = int(res.epochs.max())
        total = sum(e - s for s, e, _ in jobs)
        hit = first_reaching(jobs, re_best["accuracy"], top)
        to = spent_until(jobs, hit[0]) if hit else None
        if to is not None:
            ratios[strategy].append(to / re_to_best)
        cands = rows(path, "candidates")
        win = cands[cands.status == "OK"].sort_values(["accuracy", "candidate_id"], ascending=[False, True]).iloc[0]
        re_at = best_within(re_jobs, total)
        resumed = res[res.from_epochs > 0]
        for _, r in resumed.iterrows():
            m = dict(r["metrics"])
            overheads.append(m.get("state_seconds", 0) + m.get("transfer_seconds", 0))
        state_bytes.extend(res.state_bytes.dropna().tolist())
        print(f"| {seed} | ASHA + {strategy} | {len(cands)} | {total:.0f} | "
              f"{'%.0f' % to if to is not None else 'not reached'} | "
              f"{'%.2f' % (to / re_to_best) if to is not None else '-'} | "
              f"{'%.2f' % (to / re_total) if to is not None else '-'} | {win['accuracy']:.4f} | "
              f"RE {re_at['accuracy']:.4f} | {win['test_accuracy']:.4f} | {utilisation(jobs):.3f} |")
for strategy, r in ratios.items():
    if r:
        print(f"ASHA + {strategy}: core-seconds to RE's best / RE's, median {statistics.median(r):.2f} "
              f"(min {min(r):.2f}, max {max(r):.2f}) over {len(r)} seeds that reached it")
if overheads:
    print(f"pause/resume per continued job: median {statistics.median(overheads):.3f} s saving, loading and copying "
          f"(min {min(overheads):.3f}, max {max(overheads):.3f}); state median {statistics.median(state_bytes):.0f} "
          f"bytes")
