"""Reading a sparknas sweep's Parquet results and drawing its figures.

The notebooks in this folder call these functions; so does the command line, for users without Jupyter:

    python notebooks/sparknas_report.py SWEEP [OTHER_SWEEP ...]

writes every figure as PNG and SVG into SWEEP/report/. A sweep is the folder a `search` or `darts` job wrote
(sweep.json, candidates/round=N/*.parquet, for DARTS also darts_epochs/ and darts_alphas/); see docs/outputs.md
("Outputs") for the columns. A sweep on cluster storage is read through pyarrow.fs: hdfs://namenode:8020/path
(libhdfs and a Hadoop client on the machine, as pyarrow documents), s3a://bucket/path or s3://bucket/path (AWS
credentials as pyarrow's S3FileSystem finds them), file:///path; the figures of such a sweep go to ./report-<name>/.
"""
import argparse
import importlib.metadata
import json
import os
import re
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pyarrow.dataset as ds
import pyarrow.fs as pafs

# The metric names sparknas records (Java: io.sparknas.space.Metrics.ALL, kept equal by NotebookFilesTest).
METRICS = ["accuracy", "test_accuracy", "params", "flops", "latency_ms_b1", "latency_ms_batch", "train_seconds",
           "epochs", "latency_pred_ms", "latency_ms_timed", "latency_weight", "attempts", "train_loss", "val_loss",
           "val_accuracy", "resumed_from_epoch", "resume_skipped", "state_bytes", "span_seconds",
           "state_seconds", "transfer_seconds"]
# Row statuses (Java: Evaluation.Status): PRUNED is a candidate stopped early on purpose, not a failure.
STATUSES = ["OK", "FAILED", "PRUNED"]

DARTS_EDGE = re.compile(r"\('([a-z0-9_]+)',\s*(\d+)\)")
NB201_EDGE = re.compile(r"\|([a-z0-9_]+)~(\d+)")


REPO = Path(__file__).resolve().parent.parent


def remote(path):
    """Whether a sweep is named by a URI (hdfs://, s3a://, s3://, file://) rather than a local folder."""
    return "://" in str(path)


def _fs(sweep):
    """(pyarrow file system, path in it) of a sweep; s3a:// (Hadoop's name) is pyarrow's s3://."""
    uri = str(sweep)
    if uri.startswith("s3a://"):
        uri = "s3://" + uri[len("s3a://"):]
    return pafs.FileSystem.from_uri(uri)


def _exists(sweep, relative, kind):
    fs, base = _fs(sweep)
    return fs.get_file_info(base.rstrip("/") + "/" + relative).type == kind


def resolve(path):
    """A sweep path as given, or relative to the repository root (notebooks run with notebooks/ as their cwd)."""
    if remote(path):
        if not _exists(path, "sweep.json", pafs.FileType.File):
            raise SystemExit(f"{path} is not a sparknas sweep (no sweep.json there); run a search or darts job first")
        return str(path).rstrip("/")
    p = Path(path)
    if not p.is_absolute() and not p.exists() and (REPO / p).exists():
        p = REPO / p
    if not (p / "sweep.json").is_file():
        raise SystemExit(f"{path} is not a sparknas sweep (no sweep.json there); run a search or darts job first")
    return str(p)


def sweep_paths():
    """The sweeps to analyse: $SPARKNAS_SWEEPS (comma-separated) or $SPARKNAS_SWEEP."""
    many = os.environ.get("SPARKNAS_SWEEPS", "")
    paths = [p for p in many.split(",") if p] or [os.environ.get("SPARKNAS_SWEEP", "")]
    if not paths[0]:
        raise SystemExit("set SPARKNAS_SWEEP to a sweep folder (e.g. sweeps/quickstart), or edit the parameters cell")
    return [resolve(p) for p in paths]


def metadata(sweep):
    if remote(sweep):
        fs, base = _fs(sweep)
        with fs.open_input_stream(base.rstrip("/") + "/sweep.json") as f:
            return json.loads(f.read().decode("utf-8"))
    return json.loads((Path(sweep) / "sweep.json").read_text())


def label(sweep):
    """A sweep's legend label: its strategy (or 'darts') and name."""
    meta = metadata(sweep)
    if meta.get("kind") in ("darts", "scale", "ofa"):
        return f"{meta['kind']} ({meta['sweep']})"
    return f"{meta['config']['strategy']['name']} ({meta['sweep']})"


def _read(sweep, dataset):
    if remote(sweep):
        if not _exists(sweep, dataset, pafs.FileType.Directory):
            return None
        fs, base = _fs(sweep)
        path, filesystem = base.rstrip("/") + "/" + dataset, fs
    else:
        path, filesystem = Path(sweep) / dataset, None
        if not path.is_dir():
            return None
    table = ds.dataset(str(path), filesystem=filesystem, format="parquet", partitioning="hive",
                       exclude_invalid_files=True, ignore_prefixes=["_", "."]).to_table()
    return table.to_pandas()


def candidates(sweep):
    """Every committed candidate, in evaluation order (round, then end time)."""
    df = _read(sweep, "candidates")
    if df is None or df.empty:
        raise SystemExit(f"{sweep} has no committed candidates yet")
    df["round"] = df["round"].astype(int)
    return df.sort_values(["round", "end_time", "candidate_id"]).reset_index(drop=True)


def metric(df, name):
    """One entry of the candidates' metrics map as a float column (NaN where a candidate lacks it)."""
    return df["metrics"].map(lambda m: dict(m).get(name, np.nan) if m is not None else np.nan).astype(float)


def latency_front_data(sweep):
    """A latency-aware DARTS sweep's evaluated genotypes: lambda, accuracy, measured (batch 1) and predicted latency,
    and whether each is on the accuracy-latency front; None for other sweeps."""
    df = candidates(sweep)
    ok = df[df["status"] == "OK"].copy()
    ok["lambda"] = metric(ok, "latency_weight")
    if ok.empty or ok["lambda"].isna().all():
        return None
    ok["latency_pred_ms"] = metric(ok, "latency_pred_ms")
    # each network timed alone after training where the job did so; else the estimator's figure
    timed = metric(ok, "latency_ms_timed")
    ok["latency_ms"] = timed.where(timed.notna(), ok["latency_ms_b1"])
    ok = ok[ok["latency_ms"].notna()]
    ok["on_front"] = pareto_mask(ok["latency_ms"].to_numpy(dtype=float), ok["accuracy"].to_numpy(dtype=float))
    cols = ["candidate_id", "seed", "lambda", "accuracy", "latency_ms", "latency_pred_ms", "on_front", "genotype"]
    return ok[cols].sort_values(["seed", "lambda"]).reset_index(drop=True)


def plot_latency_front(sweep):
    """Latency-aware DARTS: accuracy against measured latency per lambda, the front highlighted, dominated points
    faded, and the table's prediction of each genotype's latency beside its measurement."""
    d = latency_front_data(sweep)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    dominated = d[~d["on_front"]]
    front = d[d["on_front"]].sort_values("latency_ms")
    ax.scatter(d["latency_pred_ms"], d["accuracy"], marker="x", color="steelblue", alpha=0.6,
               label="predicted latency (table)")
    ax.scatter(dominated["latency_ms"], dominated["accuracy"], color="grey", alpha=0.35, label="dominated")
    ax.plot(front["latency_ms"], front["accuracy"], "o-", color="crimson", label="Pareto front (measured)")
    for _, row in d.iterrows():
        ax.annotate(f"λ={row['lambda']:g}", (row["latency_ms"], row["accuracy"]), textcoords="offset points",
                    xytext=(5, 4), fontsize=8)
    ax.set(xlabel="latency at batch 1 (ms)", ylabel="validation accuracy",
           title=f"{label(sweep)}: latency-aware DARTS, accuracy against latency")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def darts_data(sweep):
    """(epochs, alphas) of a DARTS sweep, or None for other sweeps."""
    epochs = _read(sweep, "darts_epochs")
    alphas = _read(sweep, "darts_alphas")
    if epochs is None or alphas is None:
        return None
    return epochs.sort_values(["seed", "epoch"]), alphas


def report_dir(sweep):
    if remote(sweep):
        d = Path("report-" + metadata(sweep)["sweep"])
        d.mkdir(parents=True, exist_ok=True)
        return d
    d = Path(resolve(sweep)) / "report"
    d.mkdir(parents=True, exist_ok=True)
    return d


def save(fig, sweep, name):
    """Writes a figure as report/NAME.png and report/NAME.svg; returns the PNG path."""
    d = report_dir(sweep)
    fig.savefig(d / f"{name}.png", dpi=110, bbox_inches="tight")
    fig.savefig(d / f"{name}.svg", bbox_inches="tight")
    return d / f"{name}.png"


def best_so_far(df):
    """Best validation accuracy after each evaluation (failed ones count as evaluations, not as accuracy)."""
    acc = df["accuracy"].where(df["status"] == "OK").fillna(-np.inf)
    best = np.maximum.accumulate(acc.to_numpy())
    return np.where(np.isfinite(best), best, np.nan)


def random_order_baseline(df, draws=200, seed=0):
    """Expected best-so-far if the same candidates had come in a random order: a random-search stand-in when no
    random-search sweep is given. Mean over `draws` permutations."""
    acc = df["accuracy"].where(df["status"] == "OK").fillna(-np.inf).to_numpy()
    rng = np.random.default_rng(seed)
    runs = np.array([np.maximum.accumulate(rng.permutation(acc)) for _ in range(draws)])
    runs[~np.isfinite(runs)] = np.nan
    return np.nanmean(runs, axis=0)


def plot_progress(sweeps):
    """Best-so-far accuracy against evaluations and against wall time, one line per sweep (strategy)."""
    fig, (by_n, by_t) = plt.subplots(1, 2, figsize=(12, 4.2))
    has_random = False
    for sweep in sweeps:
        df = candidates(sweep)
        name = label(sweep)
        has_random |= name.startswith("random")
        best = best_so_far(df)
        n = np.arange(1, len(df) + 1)
        by_n.step(n, best, where="post", label=name)
        t = (df["end_time"] - df["start_time"].min()).dt.total_seconds().to_numpy()
        by_t.step(t, best, where="post", label=name)
    if not has_random:
        df = candidates(sweeps[0])
        by_n.plot(np.arange(1, len(df) + 1), random_order_baseline(df), "--", color="grey",
                  label="random order of the same candidates")
    by_n.set(xlabel="evaluations", ylabel="best validation accuracy so far", title="Search progress")
    by_t.set(xlabel="wall time since the first evaluation started (s)", ylabel="best validation accuracy so far",
             title="Search progress in time")
    for ax in (by_n, by_t):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def pareto_mask(cost, accuracy):
    """True for candidates no other candidate beats on both lower cost and higher accuracy."""
    order = np.lexsort((-accuracy, cost))
    mask = np.zeros(len(cost), dtype=bool)
    best = -np.inf
    for i in order:
        if accuracy[i] > best:
            mask[i] = True
            best = accuracy[i]
    return mask


COSTS = [("params", "parameters"), ("flops", "FLOPs"), ("latency_ms_b1", "latency, batch 1 (ms)")]


def plot_population(sweep):
    """Accuracy against parameters, FLOPs and latency, the Pareto front of each highlighted."""
    df = candidates(sweep)
    ok = df[df["status"] == "OK"]
    fig, axes = plt.subplots(1, len(COSTS), figsize=(15, 4.2))
    for ax, (column, title) in zip(axes, COSTS):
        part = ok[ok[column].notna()]
        if part.empty:
            ax.text(0.5, 0.5, f"no {title} in this sweep\n(the {df['estimator'].iloc[0]} estimator does not measure it)",
                    ha="center", va="center", transform=ax.transAxes)
            ax.set(title=f"accuracy vs {title}")
            continue
        cost = part[column].to_numpy(dtype=float)
        acc = part["accuracy"].to_numpy(dtype=float)
        front = pareto_mask(cost, acc)
        ax.scatter(cost[~front], acc[~front], s=18, color="grey", alpha=0.35, label="dominated")
        order = np.argsort(cost[front])
        ax.plot(cost[front][order], acc[front][order], "o-", color="crimson", label="Pareto front")
        lam = metric(part, "latency_weight").to_numpy(dtype=float)
        for x, y, w in zip(cost, acc, lam):
            if not np.isnan(w):
                ax.annotate(f"λ={w:g}", (x, y), textcoords="offset points", xytext=(4, 4), fontsize=7)
        ax.set(xlabel=title, ylabel="validation accuracy", title=f"accuracy vs {title}")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def operations(genotype):
    """The operations of a genotype's edges (DARTS text or NAS-Bench-201 string), with the cell they are in."""
    if genotype.startswith("Genotype("):
        normal, _, reduce = genotype.partition("reduce=")
        return [("normal", op) for op, _ in DARTS_EDGE.findall(normal)] + \
               [("reduce", op) for op, _ in DARTS_EDGE.findall(reduce)]
    return [("cell", op) for op, _ in NB201_EDGE.findall(genotype)]


def op_frequencies(sweep, k=10):
    """How often each operation appears among the top-k candidates, per cell type (fraction of their edges)."""
    df = candidates(sweep)
    top = df[df["status"] == "OK"].nlargest(k, "accuracy")
    rows = [(cell, op) for g in top["genotype"] for cell, op in operations(g)]
    counts = pd.DataFrame(rows, columns=["cell", "op"]).value_counts().rename("edges").reset_index()
    counts["fraction"] = counts["edges"] / counts.groupby("cell")["edges"].transform("sum")
    return counts.pivot(index="op", columns="cell", values="fraction").fillna(0.0)


def plot_op_frequencies(sweep, k=10):
    freq = op_frequencies(sweep, k)
    fig, ax = plt.subplots(figsize=(8, 4))
    freq.plot.barh(ax=ax)
    ax.set(xlabel=f"fraction of the edges of the top {k} candidates", ylabel="", title="Operations of the best cells")
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    return fig


def drawings(sweep):
    """The winner's exported cell drawings (SVG, else DOT) from SWEEP/export/ (local sweeps)."""
    if remote(sweep):
        return []
    export = Path(sweep) / "export"
    svgs = sorted(export.glob("*.svg"))
    return svgs if svgs else sorted(export.glob("*.dot"))


def top_table(sweep, k=10):
    cols = ["candidate_id", "canonical_key", "origin", "accuracy", "params", "flops", "latency_ms_b1", "genotype"]
    df = candidates(sweep)
    return df[df["status"] == "OK"].nlargest(k, "accuracy")[cols].reset_index(drop=True)


def plot_alpha_heatmaps(sweep, search_id=None):
    """softmax(alpha) per edge and operation, normal and reduction cell, at the first, middle and last epoch."""
    epochs, alphas = darts_data(sweep)
    search_id = search_id or sorted(alphas["search_id"].unique())[0]
    a = alphas[alphas["search_id"] == search_id]
    shown = sorted(a["epoch"].unique())
    shown = sorted({shown[0], shown[len(shown) // 2], shown[-1]})
    ops = list(dict.fromkeys(a["op"]))
    fig, axes = plt.subplots(2, len(shown), figsize=(4.2 * len(shown), 7.5), squeeze=False)
    for row, cell in enumerate(["normal", "reduce"]):
        for col, epoch in enumerate(shown):
            part = a[(a["cell"] == cell) & (a["epoch"] == epoch)]
            m = part.pivot_table(index=["node", "input"], columns="op", values="weight")[ops]
            ax = axes[row][col]
            im = ax.imshow(m.to_numpy(), aspect="auto", cmap="viridis")
            ax.set_xticks(range(len(ops)), ops, rotation=60, ha="right", fontsize=7)
            ax.set_yticks(range(len(m)), [f"{n}<-{i}" for n, i in m.index], fontsize=7)
            ax.set_title(f"{search_id} {cell} cell, epoch {epoch}", fontsize=9)
            fig.colorbar(im, ax=ax, fraction=0.046)
    fig.suptitle("DARTS architecture weights softmax(alpha) per edge (node <- input)")
    fig.tight_layout()
    return fig


def genotype_changes(sweep):
    """The genotype derived after each epoch of each search, and whether it changed since the previous epoch."""
    epochs, _ = darts_data(sweep)
    ok = epochs[epochs["status"] == "OK"].copy()
    ok["changed"] = ok.groupby("search_id")["genotype"].transform(lambda g: g.ne(g.shift()))
    return ok[["search_id", "epoch", "val_accuracy", "skips_normal", "skips_normal_unguarded", "changed", "genotype"]]


def plot_genotype_over_time(sweep):
    """Per search: edges of the derived normal cell that changed since the previous epoch, skip connections with
    and without the collapse guard, and the supernet's validation accuracy, against the epoch."""
    ch = genotype_changes(sweep)
    fig, (edges_ax, skips_ax, acc_ax) = plt.subplots(1, 3, figsize=(15, 4))
    for sid, g in ch.groupby("search_id"):
        edges = [DARTS_EDGE.findall(x) for x in g["genotype"]]  # (op, input) of every edge, normal then reduce
        moved = [0] + [sum(a != b for a, b in zip(p, q)) for p, q in zip(edges, edges[1:])]
        edges_ax.plot(g["epoch"], moved, "o-", label=sid)
        line, = skips_ax.plot(g["epoch"], g["skips_normal_unguarded"], "o--", label=f"{sid} without guard")
        skips_ax.plot(g["epoch"], g["skips_normal"], "o-", color=line.get_color(), label=f"{sid} derived")
        acc_ax.plot(g["epoch"], g["val_accuracy"], "o-", label=sid)
    edges_ax.set(xlabel="epoch", ylabel="edges (normal + reduce) changed since the previous epoch",
                 title="Derived genotype over time")
    skips_ax.set(xlabel="epoch", ylabel="skip connections in the normal cell", title="Skip connections (collapse)")
    acc_ax.set(xlabel="epoch", ylabel="supernet validation accuracy", title="Supernet accuracy")
    for ax in (edges_ax, skips_ax, acc_ax):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.tight_layout()
    return fig


METHODS = ["compound", "depth", "width", "resolution"]


def scaling_data(sweep):
    """(grid, scaled) rows of a scale sweep with their scaling metrics as columns, or None for other sweeps. The
    scaled rows are stage 2's (round 1, or one round per phi with `scale.budget = "flops"`); the saturation sweep's
    (origin `single-*`) are in `saturation_table`."""
    if metadata(sweep).get("kind") != "scale":
        return None
    df = candidates(sweep)
    for name in ["alpha", "beta", "gamma", "phi", "flops_ratio", "channels", "layers", "resolution", "multiplier",
                 "epochs"]:
        df[name] = [dict(m).get(name, np.nan) for m in df["metrics"]]
    single = df["origin"].str.startswith("single-")
    return df[df["round"] == 0].copy(), df[(df["round"] > 0) & ~single].copy()


def saturation_table(sweep):
    """EfficientNet's Figure 3 as a table: each dimension alone (the base as multiplier 1), mean and std of
    validation and test accuracy over the seeds, FLOPs ratio to the base; empty without a saturation sweep."""
    df = candidates(sweep)
    for name in ["phi", "flops_ratio", "multiplier"]:
        df[name] = [dict(m).get(name, np.nan) for m in df["metrics"]]
    ok = df[df["status"] == "OK"]
    single = ok[ok["origin"].str.startswith("single-")].copy()
    if single.empty:
        return single
    single["dimension"] = single["origin"].str.slice(len("single-"))
    base = ok[ok["origin"] == "base"]
    parts = [single] + [base.assign(dimension=d, multiplier=1.0) for d in single["dimension"].unique()]
    table = pd.concat(parts).groupby(["dimension", "multiplier"]).agg(
        accuracy=("accuracy", "mean"), std=("accuracy", "std"), test_accuracy=("test_accuracy", "mean"),
        test_std=("test_accuracy", "std"), seeds=("accuracy", "size"), flops_ratio=("flops_ratio", "mean"))
    return table.reset_index()


def plot_saturation(sweep):
    """EfficientNet's Figure 3: accuracy against FLOPs with one dimension alone scaled far beyond the budget."""
    table = saturation_table(sweep)
    test = table["test_accuracy"].notna().any()
    y, err = ("test_accuracy", "test_std") if test else ("accuracy", "std")
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for dim, part in table.groupby("dimension"):
        part = part.sort_values("multiplier")
        ax.errorbar(part["flops_ratio"], part[y], yerr=part[err].fillna(0), marker="o", capsize=3,
                    label=f"{dim} only")
        for _, row in part.iterrows():
            ax.annotate(f"{row['multiplier']:g}", (row["flops_ratio"], row[y]), fontsize=7, xytext=(4, 4),
                        textcoords="offset points")
    return _against_flops(fig, ax, test, f"One dimension alone {label(sweep)} (EfficientNet's Fig. 3; labels: "
                          "multipliers)")


def _against_flops(fig, ax, test, title):
    """The axes of accuracy against FLOPs over the base network's (log scale), with a legend."""
    ax.set_xscale("log", base=2)
    ax.set(xlabel="FLOPs / base network's FLOPs", ylabel="test accuracy" if test else "validation accuracy",
           title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def chosen_coefficients(sweep):
    """The grid point the scale job chose: the best validation accuracy, ties to the first in grid order."""
    grid, _ = scaling_data(sweep)
    ok = grid[grid["status"] == "OK"].sort_values(["accuracy", "candidate_id"], ascending=[False, True])
    return ok.iloc[0][["alpha", "beta", "gamma", "accuracy"]]


def scaling_table(sweep):
    """Accuracy against FLOPs per phi and method (the base as phi 0, method `base`): mean and std over seeds of
    validation and test accuracy (NaN without a test split), FLOPs ratio to the base, the network."""
    _, scaled = scaling_data(sweep)
    ok = scaled[scaled["status"] == "OK"]
    table = ok.groupby(["phi", "origin"]).agg(accuracy=("accuracy", "mean"), std=("accuracy", "std"),
                                              test_accuracy=("test_accuracy", "mean"),
                                              test_std=("test_accuracy", "std"),
                                              seeds=("accuracy", "size"), flops_ratio=("flops_ratio", "mean"),
                                              channels=("channels", "first"), layers=("layers", "first"),
                                              resolution=("resolution", "first"))
    return table.reset_index().rename(columns={"origin": "method"})


def plot_scaling(sweep):
    """Accuracy against FLOPs (ratio to the base, log scale), one curve per scaling method from the base
    (EfficientNet's Fig. 8): test accuracy where the sweep has a test split, validation otherwise."""
    table = scaling_table(sweep)
    c = chosen_coefficients(sweep)
    test = table["test_accuracy"].notna().any()
    y, err = ("test_accuracy", "test_std") if test else ("accuracy", "std")
    base = table[table["method"] == "base"]
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    for method in METHODS:
        part = pd.concat([base, table[table["method"] == method]]).sort_values("phi")
        if part.empty or (part["method"] == method).sum() == 0:
            continue
        ax.errorbar(part["flops_ratio"], part[y], yerr=part[err].fillna(0), marker="o", capsize=3,
                    label=method + (f" (α={c['alpha']:.2f}, β={c['beta']:.2f}, γ={c['gamma']:.2f})"
                                    if method == "compound" else " only"))
    return _against_flops(fig, ax, test, f"Scaling {label(sweep)}: accuracy against FLOPs")


def plot_scaling_grid(sweep):
    """The grid at phi = 1: each (alpha, beta) point coloured by accuracy, gamma and accuracy written beside it."""
    grid, _ = scaling_data(sweep)
    ok = grid[grid["status"] == "OK"]
    c = chosen_coefficients(sweep)
    fig, ax = plt.subplots(figsize=(6.5, 5))
    points = ax.scatter(ok["alpha"], ok["beta"], c=ok["accuracy"], cmap="viridis", s=260, edgecolors="k")
    for _, row in ok.iterrows():
        ax.annotate(f"γ={row['gamma']:.2f}\n{row['accuracy']:.3f}", (row["alpha"], row["beta"]), fontsize=7,
                    xytext=(8, 6), textcoords="offset points")
    ax.scatter([c["alpha"]], [c["beta"]], s=600, facecolors="none", edgecolors="crimson", linewidths=2,
               label="chosen")
    fig.colorbar(points, ax=ax, label="validation accuracy at phi = 1")
    ax.set(xlabel="α (depth)", ylabel="β (width)", title="Grid search at phi = 1 (FLOPs ≈ target after rounding)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return fig


def ofa_data(sweep):
    """(subnets, epochs, budgets) of an ofa sweep, or None for other sweeps. Subnets carry `budget` (MFLOPs of the
    search that proposed them; NaN for the random ones and the scratch rows) and `mflops`."""
    meta = metadata(sweep)
    if meta.get("kind") != "ofa":
        return None
    budgets = list(meta["config"]["search"]["budgets"])
    df = candidates(sweep)
    df["mflops"] = df["flops"] / 1e6

    def budget_of(cid):
        if cid.startswith("b") and "-" in cid:
            return budgets[int(cid[1:cid.index("-")])]
        for prefix in ("scratch-b", "scratch-matched-b"):
            if cid.startswith(prefix):
                return budgets[int(cid[len(prefix):])]
        return np.nan
    df["budget"] = [budget_of(c) for c in df["candidate_id"]]
    epochs = _read(sweep, "ofa_epochs")
    if epochs is not None:
        epochs = epochs.sort_values(["phase", "epoch"]).reset_index(drop=True)
    return df, epochs, budgets


def ofa_choices(sweep):
    """Per budget: the subnet the constrained search chose (best validation accuracy under the budget) and, where
    trained, the same subnet from scratch (for the proxy's epochs; `matched_`: for the supernet's)."""
    df, _, budgets = ofa_data(sweep)
    rows = []
    for i, b in enumerate(budgets):
        found = df[df["candidate_id"].str.startswith(f"b{i}-") & (df["status"] == "OK")]
        if found.empty:
            continue
        best = found.sort_values(["accuracy", "mflops"], ascending=[False, True]).iloc[0]
        scratch = df[df["candidate_id"] == f"scratch-b{i}"]
        ok = scratch[scratch["status"] == "OK"]
        matched = df[(df["candidate_id"] == f"scratch-matched-b{i}") & (df["status"] == "OK")]
        rows.append({"budget_mflops": b, "candidate": best["candidate_id"], "subnet": best["genotype"],
                     "mflops": best["mflops"], "accuracy": best["accuracy"], "test_accuracy": best["test_accuracy"],
                     "latency_ms": best["latency_ms_b1"],
                     "scratch_accuracy": ok["accuracy"].iloc[0] if not ok.empty else np.nan,
                     "scratch_test_accuracy": ok["test_accuracy"].iloc[0] if not ok.empty else np.nan,
                     "matched_scratch_test_accuracy": matched["test_accuracy"].iloc[0] if not matched.empty
                     else np.nan})
    return pd.DataFrame(rows)


def plot_ofa_subnets(sweep):
    """Validation accuracy against MFLOPs of every subnet evaluated by weight inheritance: random subnets faded,
    each budget's search in its colour with its budget as a dashed line, the chosen subnets starred and the same
    subnets trained from scratch as crosses."""
    df, _, budgets = ofa_data(sweep)
    ok = df[(df["status"] == "OK") & (df["space"] == "ofa")]
    choices = ofa_choices(sweep)
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    rand = ok[ok["candidate_id"].str.startswith("r-")]
    ax.scatter(rand["mflops"], rand["accuracy"], s=18, color="0.6", alpha=0.6, label="random subnets")
    ends = ok[ok["origin"] == "anchor"]
    ax.scatter(ends["mflops"], ends["accuracy"], marker="D", s=50, color="tab:orange", edgecolors="k", zorder=4,
               label="largest and smallest")
    colours = plt.cm.viridis(np.linspace(0.1, 0.85, max(1, len(budgets))))
    for i, b in enumerate(budgets):
        part = ok[ok["candidate_id"].str.startswith(f"b{i}-")]
        ax.scatter(part["mflops"], part["accuracy"], s=22, color=colours[i], alpha=0.8,
                   label=f"search under {b:g} MFLOPs")
        ax.axvline(b, color=colours[i], ls="--", lw=1)
    if not choices.empty:
        ax.scatter(choices["mflops"], choices["accuracy"], marker="*", s=260, color="crimson", edgecolors="k",
                   zorder=5, label="chosen (weight inheritance)")
        trained = choices.dropna(subset=["scratch_accuracy"])
        ax.scatter(trained["mflops"], trained["scratch_accuracy"], marker="X", s=110, color="black", zorder=5,
                   label="chosen, trained from scratch")
    ax.set(xlabel="MFLOPs (multiply-adds per image)", ylabel="validation accuracy",
           title=f"Once-for-All {label(sweep)}: subnets by FLOPs")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def plot_ofa_training(sweep):
    """Progressive shrinking: validation accuracy of the largest and the phase's smallest subnet after each epoch,
    and the training loss, phase by phase."""
    _, epochs, _ = ofa_data(sweep)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    x = np.arange(1, len(epochs) + 1)
    ax.plot(x, epochs["val_accuracy_largest"], marker="o", label="largest subnet")
    ax.plot(x, epochs["val_accuracy_smallest"], marker="s", label="smallest subnet of the phase")
    ax2.plot(x, epochs["train_loss"], marker="o", color="tab:red")
    for a in (ax, ax2):
        for phase, part in epochs.groupby("phase"):
            start = part.index.min() + 0.5
            a.axvline(start, color="0.8", lw=1)
            a.annotate(part["phase_name"].iloc[0], (start + 0.05, 0.02), xycoords=("data", "axes fraction"),
                       fontsize=7, rotation=90)
        a.set_xlabel("epoch (all phases)")
        a.grid(alpha=0.3)
    ax.set(ylabel="validation accuracy", title="Progressive shrinking")
    ax2.set(ylabel="training loss (with distillation)", title="Training loss per epoch")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def rung_data(sweep):
    """A multi-fidelity search's rung results (None for another sweep): one row per (candidate, rung) job, with its
    learning curve so far and whether the candidate was promoted from that rung."""
    ev = _read(sweep, "rungs")
    if ev is None or ev.empty:
        return None
    res = ev[ev["event"] == "result"].copy()
    higher = set(zip(res["candidate_id"], res["rung"] - 1))
    res["promoted"] = [(c, r) in higher for c, r in zip(res["candidate_id"], res["rung"])]
    return res.sort_values(["seq"]).reset_index(drop=True)


def plot_rungs(sweep):
    """The rung plot: each candidate's validation accuracy against epochs, up to the rung it reached; the lines of
    promoted candidates bold, those paused thin; the rungs as vertical lines."""
    d = rung_data(sweep)
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for cid, rows in d.groupby("candidate_id"):
        last = rows.sort_values("rung").iloc[-1]
        m = dict(last["metrics"]) if last["metrics"] is not None else {}
        epochs = list(range(1, int(last["epochs"]) + 1))
        acc = [m.get(f"epoch_{e:02d}_val_accuracy", np.nan) for e in epochs]
        promoted = bool(rows["promoted"].any())
        ax.plot(epochs, acc, marker="o", ms=2.5, color="crimson" if promoted else "grey", lw=2.0 if promoted else 0.6,
                alpha=0.9 if promoted else 0.45)
    for e in sorted(d["epochs"].unique()):
        ax.axvline(e, color="black", lw=0.5, ls=":")
    ax.set(xlabel="epochs trained", ylabel="validation accuracy", xscale="log", xticks=sorted(d["epochs"].unique()),
           title=f"{label(sweep)}: learning curves per rung (bold: promoted)")
    ax.set_xticklabels([str(e) for e in sorted(d["epochs"].unique())])
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def write_all(sweeps):
    """Every figure of the notebooks for the first sweep (progress compares all given sweeps)."""
    sweep = sweeps[0]
    written = [save(plot_progress(sweeps), sweep, "progress"),
               save(plot_population(sweep), sweep, "population")]
    if candidates(sweep)["space"].isin(["darts", "nb201"]).any():  # cells whose operations can be counted
        written.append(save(plot_op_frequencies(sweep), sweep, "op_frequencies"))
    if darts_data(sweep) is not None:
        written += [save(plot_alpha_heatmaps(sweep), sweep, "darts_alphas"),
                    save(plot_genotype_over_time(sweep), sweep, "darts_genotypes")]
        if latency_front_data(sweep) is not None:
            written.append(save(plot_latency_front(sweep), sweep, "darts_latency_front"))
    if scaling_data(sweep) is not None:
        written += [save(plot_scaling(sweep), sweep, "scaling"), save(plot_scaling_grid(sweep), sweep, "scaling_grid")]
        if not saturation_table(sweep).empty:
            written.append(save(plot_saturation(sweep), sweep, "scaling_saturation"))
    if rung_data(sweep) is not None:
        written.append(save(plot_rungs(sweep), sweep, "rungs"))
    if ofa_data(sweep) is not None:
        written += [save(plot_ofa_subnets(sweep), sweep, "ofa_subnets"),
                    save(plot_ofa_training(sweep), sweep, "ofa_training")]
    plt.close("all")
    return written


# Row status (Java: Evaluation.Status) -> Optuna trial state
OPTUNA_STATES = {"OK": "COMPLETE", "PRUNED": "PRUNED", "FAILED": "FAIL"}
EPOCH_VAL = re.compile(r"^epoch_(\d+)_val_accuracy$")


def to_optuna(sweep, storage, study_name=None):
    """The sweep as an Optuna study in `storage` (an Optuna storage URL, e.g. sqlite:///sweep.db), so that Optuna's
    plots and its dashboard work on it: one trial per committed candidate, in evaluation order, its operations as
    categorical parameters (one per edge, `cell_0`..., `normal_0`..., `reduce_0`...; the whole genotype too), the
    validation accuracy as the value to maximise, its per-epoch validation accuracy as intermediate values, and its
    status as the state (OK: COMPLETE, PRUNED: PRUNED with its partial curve, FAILED: FAIL with the error); seed,
    origin, round, test accuracy, params, FLOPs and latency as user attributes. Returns the study."""
    import optuna
    from optuna.distributions import CategoricalDistribution
    from optuna.trial import FrozenTrial, TrialState

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    df = candidates(sweep)
    name = study_name or metadata(sweep).get("sweep") or Path(str(sweep).rstrip("/")).name
    if name in optuna.get_all_study_names(storage):
        raise SystemExit(f"{storage} already holds a study named {name}: delete it (optuna delete-study --study-name "
                         f"{name} --storage {storage}) or give another storage")
    edges = {}
    for g in df["genotype"]:
        for i, (cell, op) in enumerate(operations(g)):
            edges.setdefault(f"{cell}_{i}", set()).add(op)
    distributions = {k: CategoricalDistribution(sorted(v)) for k, v in edges.items()}
    distributions["genotype"] = CategoricalDistribution(sorted(df["genotype"].unique()))
    study = optuna.create_study(study_name=name, storage=storage, direction="maximize")
    study.set_user_attr("sparknas_sweep", str(sweep))
    for _, row in df.iterrows():
        metrics = dict(row["metrics"]) if row["metrics"] is not None else {}
        params = {f"{cell}_{i}": op for i, (cell, op) in enumerate(operations(row["genotype"]))}
        params["genotype"] = row["genotype"]
        curve = {int(m.group(1)): float(v) for k, v in metrics.items() if (m := EPOCH_VAL.match(k)) and np.isfinite(v)}
        state = TrialState[OPTUNA_STATES[row["status"]]]
        attrs = {"candidate_id": row["candidate_id"], "seed": int(row["seed"]), "origin": row["origin"],
                 "round": int(row["round"])}
        for key in ("test_accuracy", "params", "flops", "latency_ms_b1", "latency_ms_timed", "epochs"):
            value = metrics.get(key, row.get(key))
            if value is not None and np.isfinite(float(value)):
                attrs[key] = float(value)
        if row["status"] == "FAILED":
            attrs["error"] = row["error"]
        study.add_trial(FrozenTrial(
            number=0, trial_id=0, state=state,
            value=float(row["accuracy"]) if state == TrialState.COMPLETE else None,
            datetime_start=pd.Timestamp(row["start_time"]).to_pydatetime(),
            datetime_complete=pd.Timestamp(row["end_time"]).to_pydatetime(),
            params=params, distributions={k: distributions[k] for k in params},
            user_attrs=attrs, system_attrs={}, intermediate_values=curve))
    return study


EPOCH_SCALAR = re.compile(r"^epoch_(\d+)_(val_accuracy|val_loss|train_loss|train_accuracy)$")


def to_tensorboard(sweep, logdir):
    """The sweep as TensorBoard runs under `logdir`/<sweep name>/<candidate id>: per epoch (the step) the scalars
    val_accuracy, val_loss, train_loss and train_accuracy, and, for the HParams dashboard, the candidate's
    operations (one per edge), genotype, seed, origin and status with its final accuracy and test accuracy as
    metrics (`hparam/accuracy`, `hparam/test_accuracy`; left out where the candidate has none). Returns the runs."""
    from tensorboardX import SummaryWriter

    df = candidates(sweep)
    base = Path(logdir) / (metadata(sweep).get("sweep") or Path(str(sweep).rstrip("/")).name)
    if base.exists():
        raise SystemExit(f"{base} exists: TensorBoard would show both exports as one; remove it or give another "
                         "--tensorboard folder")
    runs = []
    for _, row in df.iterrows():
        metrics = dict(row["metrics"]) if row["metrics"] is not None else {}
        run = base / row["candidate_id"]
        with SummaryWriter(logdir=str(run)) as w:
            for key, value in sorted(metrics.items()):
                m = EPOCH_SCALAR.match(key)
                if m and np.isfinite(value):
                    w.add_scalar(m.group(2), float(value), int(m.group(1)))
            hparams = {f"{cell}_{i}": op for i, (cell, op) in enumerate(operations(row["genotype"]))}
            hparams.update(genotype=row["genotype"], seed=str(int(row["seed"])), origin=row["origin"],
                           status=row["status"])
            results = {"hparam/accuracy": row["accuracy"], "hparam/test_accuracy": metrics.get("test_accuracy")}
            w.add_hparams(hparams, {k: float(v) for k, v in results.items() if v is not None and np.isfinite(v)},
                          name="hparams")
        runs.append(run)
    return runs


def main(argv=None):
    """The command line: every figure of the sweeps named as arguments, written as PNG and SVG."""
    parser = argparse.ArgumentParser(
        prog="sparknas-report",
        description="Draw every figure of sparknas sweeps (PNG and SVG) into SWEEP/report/, or ./report-<name>/ "
                    "for a sweep on hdfs://, s3a:// or s3://.",
        epilog="exit codes: 0 figures written; 1 a path that is not a sweep (one line says which); 2 bad arguments\n"
               "example: sparknas-report sweeps/quickstart sweeps/quickstart-async",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sweeps", nargs="+", metavar="SWEEP",
                        help="a folder a search, darts, scale, ofa or score job wrote (it holds sweep.json)")
    parser.add_argument("--optuna", metavar="STORAGE",
                        help="instead of figures, write each sweep as an Optuna study (named after the sweep) into "
                             "this storage, e.g. sqlite:///sweeps.db (then: optuna-dashboard sqlite:///sweeps.db)")
    parser.add_argument("--tensorboard", metavar="LOGDIR",
                        help="instead of figures, write each sweep as TensorBoard runs (a run per candidate, scalars "
                             "per epoch, HParams) under LOGDIR/<sweep name> (then: tensorboard --logdir LOGDIR)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.tensorboard:
        for sweep in [resolve(a) for a in args.sweeps]:
            runs = to_tensorboard(sweep, args.tensorboard)
            print(f"{len(runs)} runs of {sweep} in {Path(args.tensorboard) / runs[0].parent.name}" if runs else
                  f"{sweep}: no candidates")
        return
    if args.optuna:
        for sweep in [resolve(a) for a in args.sweeps]:
            study = to_optuna(sweep, args.optuna)
            states = pd.Series([t.state.name for t in study.trials]).value_counts().sort_index()
            print(f"study {study.study_name}: {len(study.trials)} trials ("
                  + ", ".join(f"{k} {v}" for k, v in states.items()) + f") in {args.optuna}")
        return
    plt.switch_backend("Agg")
    for p in write_all([resolve(a) for a in args.sweeps]):
        print(p)


def _version():
    """The installed package's version, or the source tree's when run as a file."""
    try:
        return importlib.metadata.version("sparknas-report")
    except importlib.metadata.PackageNotFoundError:
        return "(from the source tree)"


if __name__ == "__main__":
    main()
