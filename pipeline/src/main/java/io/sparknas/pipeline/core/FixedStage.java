package io.sparknas.pipeline.core;

import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * A stage of a given list of candidates (the scale grid and its scaled networks, OFA's anchors and scratch baseline,
 * DARTS' derived genotypes), committed as one round of the sweep's {@code candidates}. Each candidate runs as its own
 * Spark job (as many at once as Spark has slots) and is committed on its own as it finishes, so a stage stopped
 * half-way resumes with the candidates it lacks; once all are in, the round is compacted into one file. Rows are
 * returned in candidate-id order.
 *
 * @param label      names the stage in progress lines ("grid at phi = 1")
 * @param round      the round of {@code candidates} it commits
 * @param candidates what it evaluates (ids unique)
 * @param estimator  evaluates them and is recorded in every row
 * @param hooks      driver-side hooks on each result, made for the candidates about to be evaluated (DARTS times
 *                   their networks first); committed rows are never changed
 */
public record FixedStage(String label, int round, List<Candidate> candidates, EstimatorSpec estimator,
                         Function<List<Candidate>, UnaryOperator<Evaluation>> hooks) {

    public FixedStage {
        candidates = List.copyOf(candidates);
        if (candidates.stream().map(Candidate::id).distinct().count() != candidates.size()) {
            throw new IllegalArgumentException(label + ": candidate ids repeat");
        }
    }

    public static FixedStage of(String label, int round, List<Candidate> candidates, EstimatorSpec estimator) {
        return new FixedStage(label, round, candidates, estimator, missing -> UnaryOperator.identity());
    }

    public FixedStage withHook(UnaryOperator<Evaluation> hook) {
        return new FixedStage(label, round, candidates, estimator, missing -> hook);
    }

    public FixedStage withHooks(Function<List<Candidate>, UnaryOperator<Evaluation>> prepared) {
        return new FixedStage(label, round, candidates, estimator, prepared);
    }

    /** Evaluates and commits what is not committed yet; returns every candidate's evaluation, by id. */
    public List<Evaluation> run(SweepRun run) {
        Map<String, Evaluation> done = new LinkedHashMap<>();
        if (run.store().committedRounds(ResultStore.CANDIDATES).contains(round)) {
            run.sweep().candidates(round).forEach(e -> done.put(e.candidate().id(), e));
        }
        List<Candidate> missing = candidates.stream().filter(c -> !done.containsKey(c.id())).toList();
        if (missing.isEmpty()) {
            run.log().accept("resuming: the " + label + " is committed (" + done.size() + " candidates)");
            return sorted(done);
        }
        if (!done.isEmpty()) {
            run.log().accept(String.format(Locale.ROOT, "resuming: the %s has %d of %d candidates committed; "
                    + "evaluating the other %d", label, done.size(), candidates.size(), missing.size()));
        }
        long t0 = System.nanoTime();
        UnaryOperator<Evaluation> enrich = hooks.apply(missing);
        SparkEvaluator evaluator = new SparkEvaluator(run.jsc(), estimator);
        try (InFlight flight = new InFlight(evaluator, run.jsc().defaultParallelism())) {
            for (Candidate c : missing) {
                if (!flight.hasRoom()) {
                    commit(run, flight.next(), enrich, done);
                }
                flight.submit(c);
            }
            while (flight.running() > 0) {
                commit(run, flight.next(), enrich, done);
            }
        }
        run.store().compact(ResultStore.CANDIDATES, round);
        List<Evaluation> out = sorted(done);
        run.log().accept(String.format(Locale.ROOT, "%s: %d candidates (%d failed) in %s", label, out.size(),
                out.stream().filter(Evaluation::isFailed).count(), Durations.since(t0)));
        return out;
    }

    private static List<Evaluation> sorted(Map<String, Evaluation> byId) {
        List<Evaluation> out = new ArrayList<>(byId.values());
        out.sort(Comparator.comparing(e -> e.candidate().id()));
        return out;
    }

    /** Commits one candidate's result on its own, enriched, and tells the listeners. */
    private void commit(SweepRun run, TaskResult result, UnaryOperator<Evaluation> enrich,
                        Map<String, Evaluation> done) {
        TaskResult r = result.map(enrich);
        run.sweep().commitOne(round, estimator, r);
        done.put(r.evaluation().candidate().id(), r.evaluation());
        run.listener().committed(round, List.of(r.evaluation()));
    }
}
