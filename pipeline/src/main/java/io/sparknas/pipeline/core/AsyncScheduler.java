package io.sparknas.pipeline.core;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Runs an {@link AskStage} asynchronously: {@code inFlight} candidates run at once, each its own Spark job (an
 * asynchronous action); as each finishes it is committed on its own with its place in the order of tells, told, and
 * the strategy is asked for the next. A resume replays the committed tells in that order, asking the strategy as
 * often as it had been asked before each, so it continues from the same state; candidates that were running when the
 * driver stopped are evaluated first (the strategy proposes the same ones again).
 */
record AsyncScheduler(AskStage stage, Pacing.Async pacing, SweepRun run) {

    AskStage.Result execute() {
        int round = stage.firstRound();
        TrialRoutine trials = new TrialRoutine(stage, run);
        List<Candidate> asked = new ArrayList<>();
        Set<String> told = new HashSet<>();
        for (ResultStore.Told t : run.store().readTold(round)) {
            Candidate c = t.evaluation().candidate();
            if (t.tellSeq() != told.size()) {
                throw new Sweep.Mismatch(run.store().path(ResultStore.CANDIDATES) + "/round=" + round + " lacks tell "
                        + told.size() + " (the next committed is " + t.tellSeq() + "); run ./sparknas repair --sweep "
                        + run.store().root());
            }
            while (asked.size() < t.askedBefore()) {
                asked.addAll(stage.strategy().ask(1));
            }
            Candidate proposed = asked.stream().filter(a -> stage.named(a).id().equals(c.id())).findFirst()
                    .orElse(asked.get(asked.size() - 1));
            Replay.check("tell " + t.tellSeq(), stage.named(proposed), c);
            trials.replayed(List.of(t.evaluation()), List.of(proposed));
            told.add(c.id());
        }
        ArrayDeque<Candidate> pending = new ArrayDeque<>(asked.stream()
                .filter(c -> !told.contains(stage.named(c).id())).toList());
        int resumed = told.size();
        if (resumed > 0) {
            run.log().accept(stage.prefix(String.format(Locale.ROOT, "resuming asynchronous sweep %s: %d of %d "
                    + "candidates told, replayed in their order; %d that were running are evaluated again first",
                    run.sweep().name(), resumed, stage.budget(), pending.size())));
            stage.limit().check(trials.counts(), resumed - 1);
        }
        int inFlight = pacing.inFlight() > 0 ? pacing.inFlight() : run.jsc().defaultParallelism();
        run.jsc().setLocalProperty("spark.scheduler.pool", "sparknas-" + run.sweep().name()); // FAIR where it is on
        SparkEvaluator evaluator = new SparkEvaluator(run.jsc(), stage.estimator())
                .withMaxAttempts(stage.maxAttempts());
        Map<String, Candidate> byName = new HashMap<>();
        long start = System.nanoTime();
        try (InFlight flight = new InFlight(evaluator, inFlight)) {
            while (told.size() < stage.budget()) {
                while (flight.hasRoom()) {
                    Candidate next;
                    if (!pending.isEmpty()) {
                        next = pending.poll();
                    } else if (asked.size() < stage.budget()) {
                        next = stage.strategy().ask(1).get(0);
                        asked.add(next);
                    } else {
                        break;
                    }
                    Candidate named = stage.named(next);
                    byName.put(named.id(), next);
                    flight.submit(named);
                }
                TaskResult result = flight.next();
                Candidate done = byName.get(result.evaluation().candidate().id());
                int seq = told.size();
                int askedBefore = asked.size();
                Evaluation e = trials.settle(seq, List.of(done), List.of(result), rs -> run.sweep()
                        .commitTold(round, stage.estimator(), rs.get(0), seq, askedBefore)).get(0);
                told.add(result.evaluation().candidate().id());
                run.log().accept(stage.prefix(progress(e, trials.counts(), flight.running(), start, told.size()
                        - resumed)));
                stage.limit().check(trials.counts(), seq);
            }
        }
        int merged = run.store().compact(ResultStore.CANDIDATES, round);
        if (merged > 0) {
            run.log().accept("compacted " + merged + " files of " + run.store().path(ResultStore.CANDIDATES)
                    + (round == 0 ? "" : "/round=" + round) + " into one");
        }
        return new AskStage.Result(trials.committed(), trials.counts(), stage.strategy().best(), told.size(), resumed);
    }

    /** A line per told candidate: the result, the best so far, failures, throughput and an ETA from it. */
    private String progress(Evaluation e, Counts counts, int running, long start, int toldHere) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        double perMinute = toldHere / Math.max(elapsed, 1e-9) * 60;
        double eta = (stage.budget() - counts.evaluated()) / Math.max(perMinute, 1e-9) * 60;
        String b = stage.strategy().best().map(x -> String.format(Locale.ROOT, "best %.4f (%s)", x.accuracy(),
                x.candidate().id())).orElse("best -");
        return String.format(Locale.ROOT, "told %d/%d  %s %s%s  %s  failed %d  running %d  %.1f/min  elapsed %s  "
                + "eta %s", counts.evaluated(), stage.budget(), e.candidate().id(), e.isOk() ? "ok" : "FAILED",
                e.isOk() ? String.format(Locale.ROOT, " %.4f", e.accuracy()) : "", b, counts.failed(), running,
                perMinute, Durations.format(elapsed), Durations.format(eta));
    }
}
