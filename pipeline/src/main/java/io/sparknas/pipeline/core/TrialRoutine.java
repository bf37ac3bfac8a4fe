package io.sparknas.pipeline.core;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one trial routine of a stage that asks a strategy (as Optuna's {@code _run_trial}): what came back from the
 * executors is enriched on the driver (the stage's hooks), committed, heard by the listeners, told to the strategy
 * and counted, in that order, so that nothing is told that is not durable. A resume feeds the committed evaluations
 * through {@link #replayed} instead: told and counted, never committed again. Both schedulers use it.
 */
final class TrialRoutine {
    private final AskStage stage;
    private final SweepRun run;
    private final List<Evaluation> committed = new ArrayList<>();
    private Counts counts = Counts.ZERO;

    TrialRoutine(AskStage stage, SweepRun run) {
        this.stage = stage;
        this.run = run;
    }

    /**
     * Settles the results of {@code asked} (in that order): enrich, {@code commit}, listeners (with {@code seq}: the
     * round, or the place in the order of tells), tell, count. Returns the committed evaluations.
     */
    List<Evaluation> settle(int seq, List<Candidate> asked, List<TaskResult> results,
                            Consumer<List<TaskResult>> commit) {
        List<TaskResult> enriched = results.stream().map(r -> r.map(stage.enrich())).toList();
        commit.accept(enriched);
        List<Evaluation> evaluations = enriched.stream().map(TaskResult::evaluation).toList();
        count(evaluations);
        run.listener().committed(seq, evaluations);
        tell(evaluations, asked);
        return evaluations;
    }

    /** Committed evaluations of {@code asked}, read back on resume: told and counted. */
    void replayed(List<Evaluation> stored, List<Candidate> asked) {
        count(stored);
        tell(stored, asked);
    }

    /** Committed evaluations before the strategy's checkpoint: counted only (the checkpoint holds what they told). */
    void restored(List<Evaluation> stored) {
        count(stored);
    }

    private void count(List<Evaluation> evaluations) {
        committed.addAll(evaluations);
        counts = counts.plusAll(evaluations);
    }

    private void tell(List<Evaluation> evaluations, List<Candidate> asked) {
        List<Evaluation> told = new ArrayList<>(evaluations.size());
        for (int i = 0; i < evaluations.size(); i++) {
            told.add(stage.toldFor(evaluations.get(i), asked.get(i)));
        }
        stage.strategy().tell(told);
    }

    Counts counts() {
        return counts;
    }

    List<Evaluation> committed() {
        return List.copyOf(committed);
    }
}
