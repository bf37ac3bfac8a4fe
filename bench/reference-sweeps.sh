#!/usr/bin/env bash
# The reference sweeps a refactoring must leave unchanged (docs/benchmarks.md, "Pipeline v3"): run them from one
# checkout into OUTDIR, again from another, then compare: python bench/compare-sweeps.py OLD_OUTDIR NEW_OUTDIR
# usage: bench/reference-sweeps.sh OUTDIR        (about 30 minutes on 2 cores)
set -u
out=$1; mkdir -p "$out"; cd "$(dirname "$0")/.."
bash sparknas data mnist >/dev/null 2>&1
run() { name=$1; shift; echo "== $name $(date +%T)"; ./sparknas "$@" --set sweep.output=$out/$name > "$out/$name.log" 2>&1; echo "rc=$? $(tail -1 $out/$name.log)"; }
run tabular-async search --conf conf/tabular-nb201.conf --set search.mode=async --set search.inFlight=1 --set search.budget=60
run tabular-rounds search --conf conf/tabular-nb201.conf --set search.budget=60
run quickstart search --conf conf/quickstart.conf
run darts darts --conf conf/darts-quickstart.conf
run scale scale --conf conf/scale-quickstart.conf
# the OFA quickstart, reduced and on one libtorch thread (bit-reproducible, 2-5 minutes instead of an hour here)
run ofa-small ofa --conf conf/ofa-quickstart.conf --set ofa.training.fullEpochs=1 --set ofa.training.torchThreads=1 \
  --set estimator.data.trainPerClass=100 --set estimator.data.validationPerClass=50 \
  --set estimator.data.testPerClass=100 --set ofa.search.evaluations=8 --set ofa.search.randomSubnets=8
