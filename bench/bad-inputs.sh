#!/usr/bin/env bash
# Tries bad inputs against the sparknas CLI and prints the table of docs/reliability.md: for each, the exit code, the
# one line the user gets, and whether anything committed changed. A reference sweep is committed first (tabular, fast);
# the cases that name it must leave its files byte for byte as they were; the others use a fresh output, which must
# not exist afterwards.   bench/bad-inputs.sh > /tmp/bad-inputs.md   (about 5 minutes on 2 cores)
set -u
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/sparknas-bad-inputs.XXXXXX)
ref="$work/ref"
table="data/nb201/nb201_12ep.csv.gz"
tab=(--conf conf/tabular-nb201.conf --set "estimator.table.path=$table" --set search.budget=20 --set search.roundSize=10
     --set spark.master=local[2])
./sparknas search "${tab[@]}" --set "sweep.output=$ref" > "$work/ref.log" 2>&1 || { echo "reference sweep failed"; exit 1; }
# the committed bytes of every file of a sweep (names and contents), as one digest
state() { (cd "$1" 2>/dev/null && find . -type f ! -name '*.lease' -print0 | sort -z | xargs -0 -r sha1sum) | sha1sum | cut -c1-12; }

# fixtures: a broken HOCON file, a truncated IDX copy of Fashion-MNIST, a latency table of another space
printf 'search { budget = }\n' > "$work/syntax.conf"
mkdir -p "$work/fmnist"
for f in /usr/share/datasets/fashion-mnist/*; do cp "$f" "$work/fmnist/"; done
img=$(ls "$work"/fmnist/train-images* | head -n 1)
if [[ "$img" == *.gz ]]; then gunzip -c "$img" | head -c 1000000 | gzip > "$img.tmp"; else head -c 1000000 "$img" > "$img.tmp"; fi
mv "$img.tmp" "$img"
printf 'device,engine,threads,space,op,channels_in,channels_out,size,stride,net_ms\ncpu x,e,1,nb201,nor_conv_3x3,16,16,32,1,0.5\n' > "$work/nb201-table.csv"
quick=(--conf conf/quickstart.conf --set search.budget=2 --set search.roundSize=2 --set estimator.proxy.epochs=1)

n=0
echo "| # | bad input | exit | what the user is told (first line) | committed results |"
echo "|---|---|---|---|---|"
try() { # try DESCRIPTION TARGET(ref|new) COMMAND...
  local what="$1" target="$2"; shift 2
  n=$((n + 1))
  local out="$work/case$n" before after verdict
  before=$(state "$ref")
  local args=("$@")
  args=("${args[@]//@OUT@/$out}")
  args=("${args[@]//@REF@/$ref}")
  "${args[@]}" > "$work/case$n.out" 2> "$work/case$n.err"
  local code=$?
  after=$(state "$ref")
  if [ "$target" = ref ]; then
    [ "$before" = "$after" ] && verdict="unchanged" || verdict="**CHANGED**"
  else
    [ -e "$out" ] && verdict="**written**: $(find "$out" -type f | wc -l) files" || verdict="nothing written"
    [ "$before" = "$after" ] || verdict="$verdict; reference **CHANGED**"
  fi
  local msg
  msg=$(cat "$work/case$n.err" "$work/case$n.out" | grep -E '^(sparknas|error)' | grep -v -e "^sparknas [a-z]*: sweep '" -e '^sparknas: building' \
    | head -n 1 | cut -c1-260)
  [ -n "$msg" ] || msg=$(grep -v -e '^[0-9][0-9]:[0-9][0-9]:[0-9][0-9] ' -e '^\s' -e '^[a-z]* {' -e '^}' "$work/case$n.err" | head -n 1 | cut -c1-260)
  msg=${msg//|/\\|}
  echo "| $n | $what | $code | $msg | $verdict |"
}
S=./sparknas
try "budget 0" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set search.budget=0
try "round size above the budget" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set search.roundSize=50
try "9 DARTS nodes" new $S search "${quick[@]}" --set sweep.output=@OUT@ --set space.nodes=9
try "an unknown operation" new $S search "${quick[@]}" --set sweep.output=@OUT@ '--set' 'space.ops=[conv_9x9]'
try "an unknown strategy" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set strategy.name=annealing
try "tournament larger than the population" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set strategy.tournamentSize=50
try "learning rate 20" new $S search "${quick[@]}" --set sweep.output=@OUT@ --set estimator.proxy.learningRate=20
try "an unknown estimator kind" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set estimator.kind=magic
try "an unknown dataset" new $S search "${quick[@]}" --set sweep.output=@OUT@ --set estimator.data.dataset=imagenet
try "a missing dataset directory" new $S search "${quick[@]}" --set sweep.output=@OUT@ --set estimator.data.dir=/nonexistent
try "a truncated IDX file" new $S search "${quick[@]}" --set sweep.output=@OUT@ --set "estimator.data.dir=$work/fmnist"
try "a misspelt key" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set search.budgett=5
try "a HOCON syntax error" new $S search --conf "$work/syntax.conf" --set sweep.output=@OUT@
try "a missing configuration file" new $S search --conf "$work/nope.conf" --set sweep.output=@OUT@
try "an unknown search mode" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set search.mode=sometimes
try "maxFailedFraction 2" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set search.maxFailedFraction=2
try "a latency constraint without a table" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set search.objective.constraint.cost=latency_pred_ms --set search.objective.constraint.max=1
try "a missing latency table" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set search.objective.latencyTable=/nonexistent.csv
try "a latency table of another space" new $S search "${quick[@]}" --set sweep.output=@OUT@ --set "search.objective.latencyTable=$work/nb201-table.csv"
try "a FLOP budget below every network" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set search.objective.constraint.cost=flops --set search.objective.constraint.max=1000
try "a negative latency weight" new $S darts --conf conf/darts-latency.conf --set sweep.output=@OUT@ '--set' 'darts.latencyWeights=[-1]'
try "latency weights without a table" new $S darts --conf conf/darts-latency.conf --set sweep.output=@OUT@ --set darts.latencyTable=
try "a bad NAS-Bench-201 genotype as scaling base" new $S scale --conf conf/scale-nb201.conf --set sweep.output=@OUT@ --base '|conv~0|'
try "a missing genotype file as scaling base" new $S scale --conf conf/scale-quickstart.conf --set sweep.output=@OUT@ --base /nonexistent/genotype.json
try "a negative nightly extension" new $S search "${tab[@]}" --set sweep.output=@OUT@ --extend -5
try "no attempt per candidate" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set search.maxAttempts=0
try "a drawn-epochs range below epochs" new $S search "${quick[@]}" --set sweep.output=@OUT@ --set estimator.proxy.epochs=3 --set estimator.proxy.epochsUpTo=2
try "a missing benchmark table" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set estimator.table.path=/nonexistent.csv.gz
try "a sweep name with a space" new $S search "${tab[@]}" --set sweep.output=@OUT@ '--set' 'sweep.name=my sweep'
try "a sweep name of dots only" new $S search "${tab[@]}" --set sweep.output=@OUT@ '--set' 'sweep.name=..'
try "an output that cannot be written" new $S search "${tab[@]}" --set sweep.output=/proc/sparknas-out
try "a scheduler with eta 1" new $S search --conf conf/asha-quickstart.conf --set sweep.output=@OUT@ --set search.scheduler.eta=1
try "a scheduler whose minEpochs is above maxEpochs" new $S search --conf conf/asha-quickstart.conf --set sweep.output=@OUT@ --set search.scheduler.minEpochs=16
try "rungs that do not reach maxEpochs" new $S search --conf conf/asha-quickstart.conf --set sweep.output=@OUT@ --set search.scheduler.maxEpochs=6
try "a scheduler with the tabular estimator" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set search.scheduler.kind=asha
try "a scheduler in rounds mode" new $S search --conf conf/asha-quickstart.conf --set sweep.output=@OUT@ --set search.mode=rounds
try "an unknown scheduler" new $S search --conf conf/asha-quickstart.conf --set sweep.output=@OUT@ --set search.scheduler.kind=median
try "successive halving with two brackets" new $S search --conf conf/asha-quickstart.conf --set sweep.output=@OUT@ --set search.scheduler.kind=sh --set search.scheduler.brackets=2
sc=(--conf conf/score-nb201.conf --set score.sample=10)
try "an unknown zero-cost proxy" new $S score "${sc[@]}" --set sweep.output=@OUT@ '--set' 'score.proxies=[synflow,zen]'
try "a data-dependent proxy without data" new $S score "${sc[@]}" --set sweep.output=@OUT@ '--set' 'score.proxies=[naswot]'
try "scoring the whole DARTS space" new $S score "${sc[@]}" --set sweep.output=@OUT@ --set score.space=darts --set score.sample=0 --set score.table=
try "a missing ranking table" new $S score "${sc[@]}" --set sweep.output=@OUT@ --set score.table=/nonexistent.csv.gz
try "a warm start from a path without scores" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set "search.warmStart.scores=$work/nothing"
try "a warm start by an unknown proxy" new $S search "${tab[@]}" --set sweep.output=@OUT@ --set "search.warmStart.scores=$ref" --set search.warmStart.proxy=zen
mkdir -p "$work/not-a-sweep" && echo "keep me" > "$work/not-a-sweep/notes.txt"
try "--new-sweep on a folder that is not a sweep" new $S search "${tab[@]}" --set sweep.output="$work/not-a-sweep" --new-sweep
try "--id without --extend" new $S search "${tab[@]}" --set sweep.output=@OUT@ --id 2026-12-03
try "an extension id with a slash" new $S search "${tab[@]}" --set sweep.output=@OUT@ --extend 5 --id a/b
try "another configuration on a committed sweep" ref $S search "${tab[@]}" --set sweep.output=@REF@ --set strategy.seed=5
try "a lowered budget on a committed sweep" ref $S search "${tab[@]}" --set sweep.output=@REF@ --set search.budget=10
try "a DARTS job on a search sweep's path" ref $S darts --conf conf/darts-quickstart.conf --set sweep.output=@REF@
# a second run while one holds the lease: a live lease written as a running job writes it
printf '{"owner":"someone","host":"%s","process":"1","started":"%s","heartbeat":"%s"}' "$(hostname)" "$(date -u +%FT%TZ)" "$(date -u +%FT%TZ)" > "$ref.lease"
try "a concurrent second run" ref $S search "${tab[@]}" --set sweep.output=@REF@ --set search.budget=30
rm -f "$ref.lease"
# a committed part file truncated after the fact, then the resume
part=$(ls "$ref"/candidates/round=1/*.parquet | head -n 1)
cp "$part" "$work/part.bak"; head -c 2000 "$work/part.bak" > "$part"
try "a truncated committed Parquet file" ref $S search "${tab[@]}" --set sweep.output=@REF@ --set search.budget=30
cp "$work/part.bak" "$part"
# the tools that read a sweep: report, repair, compact, serve
try "report of a folder that is not a sweep" new $S report --sweep @OUT@
try "report with a negative --hv-reference" ref $S report --sweep @REF@ --hv-reference flops=-1
try "repair of a folder that is not a sweep" new $S repair --sweep @OUT@
try "compact of a folder that is not a sweep" new $S compact --sweep @OUT@
try "serve of a folder that is not a sweep" new $S serve --sweep @OUT@
try "serve on port 70000" ref $S serve --sweep @REF@ --port 70000
python3 -c 'import socket, time; s = socket.socket(); s.bind(("127.0.0.1", 8642)); s.listen(); time.sleep(120)' &
holder=$!; sleep 1
try "serve on a port another program holds" ref $S serve --sweep @REF@ --port 8642
kill $holder 2>/dev/null
# an output path that is a file, and a lease whose heartbeat field is not a time (a lease is judged by its file's age)
echo "not a folder" > "$work/a-file"
try "a file as sweep.output" ref $S search "${tab[@]}" --set sweep.output="$work/a-file"
printf '{"owner":"someone","host":"%s","process":"1","started":"yesterday","heartbeat":"yesterday"}' "$(hostname)" > "$ref.lease"
try "a lease whose heartbeat is 'yesterday'" ref $S search "${tab[@]}" --set sweep.output=@REF@ --set search.budget=30
rm -f "$ref.lease"
# one byte flipped inside a committed Parquet file, its footer intact, then a resume with a raised budget
part=$(ls "$ref"/candidates/round=*/*.parquet | tail -n 1)
cp "$part" "$work/part2.bak"
python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 3] ^= 0xFF; open(p, "wb").write(b)' "$part"
try "a flipped byte inside a committed Parquet file" ref $S search "${tab[@]}" --set sweep.output=@REF@ --set search.budget=30
cp "$work/part2.bak" "$part"
# retrying failed candidates: a filter without the retry, a filter that is not a regular expression
try "--where without --retry-failed" ref $S repair --sweep @REF@ --where 'error~lost'
try "a --where that is not a regular expression" ref $S repair --sweep @REF@ --retry-failed --where 'error~('
# weight sharing: a one-shot estimator over the DARTS space, a missing and a corrupt supernet checkpoint
os=(--conf conf/oneshot-nb201.conf)
try "a one-shot estimator over the DARTS space" new $S search "${os[@]}" --set sweep.output=@OUT@ --set space.name=darts
try "a missing supernet checkpoint" new $S search "${os[@]}" --set sweep.output=@OUT@ --set estimator.oneshot.checkpoint=/nonexistent.ckpt
echo "not a supernet" > "$work/junk.ckpt"
try "a corrupt supernet checkpoint" new $S search "${os[@]}" --set sweep.output=@OUT@ --set estimator.oneshot.checkpoint="$work/junk.ckpt"
rm -rf "$work"
