#!/usr/bin/env bash
# DARTS search-epoch benchmark, DJL against PyTorch on the same supernet and steps (C=8, 5 cells, 4 nodes, 8 ops,
# batch 32, 16x16 images, 500 training + 500 validation images: 15 steps per epoch), interleaved in one run so both
# sides see the same machine state; one thread each, the same GLIBC_TUNABLES. The first epoch is warm-up.
# usage: bench/darts-epoch.sh [ROUNDS] [EPOCHS] [ORDER]
# PYTHON: an interpreter with torch (default: python3), e.g. a venv with the torch wheel of the local index
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"; epochs="${2:-3}"; order="${3:-1}"
echo "# $(date -u +%FT%TZ) $(lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print $2}'), $(nproc) cores"
export GLIBC_TUNABLES="glibc.malloc.mmap_threshold=1073741824:glibc.malloc.trim_threshold=4294967295:glibc.malloc.top_pad=1073741824"
export OMP_NUM_THREADS=1
for r in $(seq "$rounds"); do
  ./sparknas bench-darts --mode epoch --epochs "$epochs" --order "$order" 2>/dev/null | grep '"mode"'
  "${PYTHON:-python3}" bench/pytorch_darts_search.py --threads 1 --epochs "$epochs" --order "$order" 2>/dev/null \
    | grep '"mode"'
done
