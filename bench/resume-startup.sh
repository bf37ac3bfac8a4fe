#!/usr/bin/env bash
# What a resume costs on a sweep of many files (issue 26): a tabular NAS-Bench-201 async sweep killed with SIGKILL
# once it told K candidates (default 9,000 of 10,000: K one-row tell files, not yet compacted). Then, R times each:
#   - a resume, from its start to its first new told line (it lists and reads every tell and replays the strategy),
#     killed there with SIGKILL again;
#   - `repair` on the same sweep (it checks every file: magic, footer, page CRCs), which finds nothing to move;
#   - the peer: a new sweep of the same configuration, from its start to its first told line (launcher, JVM, Spark).
# Prints each time and the median and spread; the resume is finished at the end and its rows counted.
#   bench/resume-startup.sh [K] [N] [R] > /tmp/resume-startup.txt
set -u
cd "$(dirname "$0")/.."
k=${1:-9000}
n=${2:-10000}
r=${3:-3}
work=$(mktemp -d /tmp/sparknas-resume.XXXXXX)
sweep="$work/sweep"
run() { # output dir, log file: the sweep's command in the background
  ./sparknas search --conf conf/tabular-nb201.conf --set "sweep.output=$1" --set "search.budget=$n" \
    --set search.mode=async --set spark.master=local[2] > "$2" 2>&1 &
}
told() { grep -c '^told' "$1" 2>/dev/null || true; }
# waits until log $2 of pid $1 has more than $3 told lines; prints the seconds since $4 (nanoseconds)
until_told() {
  while [ "$(told "$2")" -le "$3" ]; do
    kill -0 "$1" 2>/dev/null || { echo "the run ended first: $(tail -n 3 "$2")" >&2; echo failed; return; }
    sleep 0.2
  done
  echo "scale=1; ($(date +%s%N) - $4) / 1000000000" | bc
}
kill9() { kill -9 "$1"; wait "$1" 2>/dev/null; rm -f "$sweep.lease" "$sweep.lease.beat-"*; }
stats() { # label, values...: median and spread (min-max)
  local label=$1; shift
  sorted=$(printf '%s\n' "$@" | sort -n)
  echo "| $label | $(echo "$sorted" | sed -n "$(( ($# + 1) / 2 ))p") | $(echo "$sorted" | head -n 1)-$(echo "$sorted" | tail -n 1) | $* |"
}

t0=$(date +%s%N); run "$sweep" "$work/first"; pid=$!
until_told "$pid" "$work/first" $((k - 1)) "$t0" > /dev/null
kill9 "$pid"
files=$(find "$sweep/candidates" -name 'tell-*.parquet' | wc -l)
echo "sweep of $n killed at $(told "$work/first") told: $files tell files, $(du -sh "$sweep" | cut -f1)"
echo
resumes=(); repairs=(); fresh=()
for i in $(seq "$r"); do
  before=$(find "$sweep/candidates" -name 'tell-*.parquet' | wc -l)
  t0=$(date +%s%N); run "$sweep" "$work/resume$i"; pid=$!
  resumes+=("$(until_told "$pid" "$work/resume$i" 0 "$t0")")
  kill9 "$pid"
  t0=$(date +%s%N)
  ./sparknas repair --sweep "$sweep" > "$work/repair$i" 2>&1 || { echo "repair failed: $(tail -n 3 "$work/repair$i")"; exit 1; }
  repairs+=("$(echo "scale=1; ($(date +%s%N) - $t0) / 1000000000" | bc)")
  rm -rf "$work/fresh" "$work/fresh.lease"*
  t0=$(date +%s%N); run "$work/fresh" "$work/fresh$i"; pid=$!
  fresh+=("$(until_told "$pid" "$work/fresh$i" 0 "$t0")")
  kill -9 "$pid"; wait "$pid" 2>/dev/null
  echo "round $i: $before tell files before the resume; repair said: $(grep -v '^$' "$work/repair$i" | tail -n 1)"
done
echo
echo "| seconds to the first told line (or to the end for repair) | median | spread | runs |"
echo "|---|---|---|---|"
stats "resume of the killed sweep" "${resumes[@]}"
stats "repair of the same sweep (nothing to move)" "${repairs[@]}"
stats "a new sweep (the peer)" "${fresh[@]}"
echo
run "$sweep" "$work/last"; pid=$!
wait "$pid"; code=$?
echo "the resume run to the end: exit $code; $(grep '^done' "$work/last" | tail -n 1)"
if [ "$code" = 0 ]; then rm -rf "$work"; else echo "kept for a look: $work"; fi
