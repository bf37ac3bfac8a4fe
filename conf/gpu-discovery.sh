#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript): prints the GPUs of this executor's
# host as Spark's ResourceInformation JSON, e.g. {"name": "gpu", "addresses": ["0", "1"]}. sparknas trains a
# task's candidates on the GPU address Spark assigns to the task (DJL device gpu(<address>)).
set -euo pipefail
if command -v nvidia-smi >/dev/null 2>&1; then
  ids=$(nvidia-smi --query-gpu=index --format=csv,noheader | sed 's/ //g' | paste -sd, - | sed 's/,/","/g')
  echo "{\"name\": \"gpu\", \"addresses\": [\"${ids}\"]}"
else
  echo '{"name": "gpu", "addresses": []}'
fi
