#!/usr/bin/env bash
# bench/asha.sh OUT [SEEDS]: multi-fidelity against full fidelity on real training (issue 27). For each seed:
# regularized evolution with 64 candidates trained 8 epochs each (the quickstart's proxy, asynchronous), then ASHA
# (minEpochs 1, maxEpochs 8, eta 2, 64 candidates) with random search and with evolution. Then
# bench/asha-report.py OUT prints core-seconds to reach each seed's full-fidelity best, the best at equal
# core-seconds, the winners' test accuracy, utilisation and pause/resume overheads. No export (no retraining).
set -euo pipefail
out="${1:?usage: bench/asha.sh OUT [SEEDS]}"
seeds="${2:-1 2 3}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
common=(--set export.retrain=false --set estimator.data.testPerClass=100)
for seed in $seeds; do
  ./sparknas search --conf conf/quickstart.conf "${common[@]}" --set sweep.name="re-s$seed" \
    --set sweep.output="$out/re-s$seed" --set strategy.seed="$seed" --set search.budget=64 \
    --set search.mode=async --set estimator.proxy.epochs=8
  for strategy in random evolution; do
    ./sparknas search --conf conf/asha-quickstart.conf "${common[@]}" --set sweep.name="asha-$strategy-s$seed" \
      --set sweep.output="$out/asha-$strategy-s$seed" --set strategy.name="$strategy" --set strategy.seed="$seed"
  done
done
"${PYTHON:-.venv/bin/python}" bench/asha-report.py "$out"
