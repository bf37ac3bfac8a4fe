#!/usr/bin/env bash
# Training-step benchmark, DJL against PyTorch on the same DARTS proxy network, interleaved in one run so both
# sides see the same machine state. Same thread count (1) and the same GLIBC_TUNABLES on both sides.
# usage: bench/train-step.sh [ROUNDS] [extra args for both sides, e.g. --channels 8 --size 16 --batch 32]
# PYTHONS: python interpreters with torch to use as peers (default: Debian's /usr/bin/python3)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"; shift || true
export GLIBC_TUNABLES="glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295:glibc.malloc.top_pad=1073741824"
cores=$(nproc)
export OMP_NUM_THREADS=1
echo "# $(date -u +%FT%TZ) $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $cores cores"
for r in $(seq "$rounds"); do
  ./sparknas bench-train-step --mode step "$@" 2>/dev/null | grep '^{'
  for py in ${PYTHONS:-/usr/bin/python3}; do
    "$py" bench/pytorch_darts_step.py --threads 1 "$@"
  done
done
