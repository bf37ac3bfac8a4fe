#!/usr/bin/env bash
# The driver's memory over a long asynchronous sweep (issue 26: bounded driver memory): a tabular NAS-Bench-201 sweep
# of N candidates (default 10,000) with Spark's event log on; every 30 s a full GC is forced and the live heap after
# it recorded beside the number of candidates told so far; at the end the event log's size.
#   bench/driver-memory.sh [N] > /tmp/driver-memory.txt
set -u
cd "$(dirname "$0")/.."
n=${1:-10000}
work=$(mktemp -d /tmp/sparknas-driver-memory.XXXXXX)
mkdir -p "$work/events"
./sparknas search --conf conf/tabular-nb201.conf --set "sweep.output=$work/sweep" --set "search.budget=$n" \
  --set search.mode=async --set spark.master=local[2] --set 'spark.conf."spark.eventLog.enabled"=true' \
  --set "spark.conf.\"spark.eventLog.dir\"=\"file://$work/events\"" > "$work/out" 2> "$work/err" &
launcher=$!
start=$(date +%s)
echo "| seconds | candidates told | live heap after a full GC (MB) |"
echo "|---|---|---|"
while kill -0 "$launcher" 2>/dev/null; do
  sleep 30
  pid=$launcher   # the launcher execs the JVM
  jcmd "$pid" GC.run >/dev/null 2>&1 || continue
  used=$(jcmd "$pid" GC.heap_info 2>/dev/null | grep -o 'used [0-9]*K' | head -n 1 | grep -o '[0-9]*')
  told=$(grep -c '^told' "$work/out")
  [ -n "$used" ] && echo "| $(( $(date +%s) - start )) | $told | $(( used / 1024 )) |"
done
wait "$launcher"; code=$?
echo
echo "exit $code after $(( $(date +%s) - start )) s; $(grep -c '^told' "$work/out") told; $(tail -n 1 "$work/out")"
echo "event log: $(du -sh "$work/events" | cut -f1) in $(find "$work/events" -type f | wc -l) file(s); sweep: $(du -sh "$work/sweep" | cut -f1)"
if [ "$code" = 0 ]; then rm -rf "$work"; else echo "kept for a look: $work (out, err)"; grep -E '^(error|sparknas)' "$work/err" | tail -n 3; fi
