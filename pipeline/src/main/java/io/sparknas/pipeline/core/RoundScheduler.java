package io.sparknas.pipeline.core;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.strategies.Strategy;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs an {@link AskStage} in rounds: ask a round, evaluate it as one Spark job, commit it whole, tell it,
 * checkpoint the strategy. A resume restores the strategy from the latest checkpoint inside the stage's committed
 * rounds and replays the rounds after it (asked again, which must give the same candidates, and told the stored
 * results); nothing is evaluated twice.
 */
record RoundScheduler(AskStage stage, Pacing.Rounds pacing, SweepRun run) {

    AskStage.Result execute() {
        List<Integer> committed = committedRounds();
        TrialRoutine trials = new TrialRoutine(stage, run);
        restore(committed, trials);
        int resumed = committed.size();
        SparkEvaluator evaluator = new SparkEvaluator(run.jsc(), stage.estimator())
                .withMaxAttempts(stage.maxAttempts());
        long start = System.nanoTime();
        int done = resumed;
        if (trials.counts().evaluated() < stage.budget()) {
            stage.limit().check(trials.counts(), done - 1);
        }
        for (; trials.counts().evaluated() < stage.budget() && done < stage.maxRounds(); done++) {
            int round = stage.firstRound() + done;
            Strategy strategy = stage.strategy();
            List<Candidate> asked = strategy.ask(Math.min(pacing.size(), stage.budget() - trials.counts().evaluated()));
            List<Candidate> named = asked.stream().map(stage::named).toList();
            List<TaskResult> results = inAskedOrder(named, evaluator.evaluate(named, pacing.partitions()));
            trials.settle(round, asked, results, rs -> run.sweep().commitCandidates(round, stage.estimator(), rs));
            run.sweep().commitCheckpoint(round, strategy.name(), strategy.told(), strategy.snapshot());
            run.log().accept(stage.prefix(progress(done, resumed, trials.counts(), start)));
            stage.limit().check(trials.counts(), done);
        }
        if (!stage.label().isEmpty()) {
            Counts c = trials.counts();
            run.log().accept(String.format(Locale.ROOT, "%s: %d candidates (%d failed)%s in %s", stage.label(),
                    c.evaluated(), c.failed(), resumed > 0 ? ", " + resumed + " rounds resumed" : "",
                    Durations.since(start)));
        }
        return new AskStage.Result(trials.committed(), trials.counts(), stage.strategy().best(), done, resumed);
    }

    /** The stage's committed rounds, which must follow its first without gaps. */
    private List<Integer> committedRounds() {
        int first = stage.firstRound();
        long last = (long) first + stage.maxRounds();
        List<Integer> rounds = run.store().committedRounds(ResultStore.CANDIDATES).stream()
                .filter(r -> r >= first && r < last).toList();
        for (int i = 0; i < rounds.size(); i++) {
            if (rounds.get(i) != first + i) {
                throw new IllegalStateException(run.store().path(ResultStore.CANDIDATES) + " has rounds " + rounds
                        + "; expected " + first + ".." + (first + rounds.size() - 1) + " without gaps");
            }
        }
        return rounds;
    }

    /** Restores the strategy from the committed rounds (its latest checkpoint among them, then a replay). */
    private void restore(List<Integer> rounds, TrialRoutine trials) {
        if (rounds.isEmpty()) {
            return;
        }
        int first = stage.firstRound();
        int from = 0; // the first round (within the stage) the checkpoint does not hold
        List<Integer> checkpoints = run.store().committedRounds(ResultStore.CHECKPOINTS);
        for (int c = checkpoints.size() - 1; c >= 0; c--) {
            int at = checkpoints.get(c);
            Optional<String> snapshot = at >= first && at < first + rounds.size() ? run.store().checkpoint(at)
                    : Optional.empty(); // an emptied checkpoint round: the one before it, or a replay
            if (snapshot.isPresent()) {
                stage.strategy().restore(snapshot.get());
                from = at - first + 1;
                break;
            }
        }
        for (int i = 0; i < rounds.size(); i++) {
            List<Evaluation> stored = run.sweep().candidates(first + i);
            if (i < from) {
                trials.restored(stored);
                continue;
            }
            List<Candidate> asked = stage.strategy().ask(stored.size());
            Map<String, Evaluation> byId = new HashMap<>();
            stored.forEach(e -> byId.put(e.candidate().id(), e));
            List<Evaluation> inOrder = new java.util.ArrayList<>();
            for (Candidate a : asked) {
                Candidate named = stage.named(a);
                Evaluation e = byId.get(named.id());
                Replay.check("round " + (first + i), named, e == null ? stored.get(inOrder.size()).candidate()
                        : e.candidate());
                inOrder.add(e);
            }
            trials.replayed(inOrder, asked);
        }
        String restored = from == 0 ? "a replay of every round" : "the checkpoint of round " + from;
        boolean complete = trials.counts().evaluated() >= stage.budget();
        run.log().accept(stage.prefix(complete ? String.format(Locale.ROOT, "resuming sweep %s: its %d rounds are "
                + "committed (%d evaluations; strategy restored from %s)", run.sweep().name(), rounds.size(),
                trials.counts().evaluated(), restored) : String.format(Locale.ROOT, "resuming sweep %s at round %d/%d "
                + "(%d evaluations committed; strategy restored from %s)", run.sweep().name(), rounds.size() + 1,
                planned(rounds.size(), trials.counts()), trials.counts().evaluated(), restored)));
    }

    private static List<TaskResult> inAskedOrder(List<Candidate> asked, List<TaskResult> results) {
        Map<String, TaskResult> byId = new HashMap<>();
        results.forEach(r -> byId.put(r.evaluation().candidate().id(), r));
        return asked.stream().map(c -> {
            TaskResult r = byId.get(c.id());
            if (r == null) {
                throw new IllegalStateException("Spark returned no result for candidate " + c.id());
            }
            return r;
        }).toList();
    }

    /** The rounds the stage will have: those done, and the budget left in rounds. */
    private int planned(int done, Counts counts) {
        return done + Math.max(0, pacing.roundsFor(stage.budget() - counts.evaluated()));
    }

    private String progress(int done, int resumed, Counts counts, long start) {
        double elapsed = (System.nanoTime() - start) / 1e9;
        int planned = planned(done + 1, counts);
        double eta = elapsed / (done + 1 - resumed) * (planned - done - 1);
        Optional<Evaluation> best = stage.strategy().best();
        String b = best.map(e -> String.format(Locale.ROOT, "best %.4f (%s %s)", e.accuracy(), e.candidate().id(),
                e.candidate().key())).orElse("best -");
        return String.format(Locale.ROOT, "round %d/%d  evaluated %d  failed %d  %s  elapsed %s  eta %s", done + 1,
                planned, counts.evaluated(), counts.failed(), b, Durations.format(elapsed), Durations.format(eta));
    }
}
