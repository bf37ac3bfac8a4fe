package io.sparknas.pipeline.core;

import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.strategies.Strategy;

import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A stage that asks a strategy for candidates until its budget is spent: a search, OFA's random and per-budget
 * searches, and the rungs to come. The core runs it ({@link #run}) with one trial routine under either scheduler
 * ({@link Pacing}): resume (replaying what is committed through the strategy, from its latest checkpoint), attempts,
 * the failure limit, progress lines and commits all come from there. Immutable; the {@code with} methods give
 * changed copies.
 *
 * @param label       names the stage in progress lines ("" for a kind's only stage)
 * @param strategy    asked and told; its state is checkpointed after every round
 * @param budget      candidates in all
 * @param pacing      rounds or asynchronous
 * @param idPrefix    put before every candidate id it proposes (OFA's {@code b0-}), taken off again when told
 * @param firstRound  the stage's first round in the sweep's {@code candidates}
 * @param maxRounds   the rounds the stage may use (a later stage's come after them); open-ended for the last
 * @param estimator   evaluates the candidates (and is recorded in every row)
 * @param enrich      driver-side hooks on each result before it is committed (latency prediction, scaling metrics)
 * @param told        what the strategy is told for an evaluation (a penalised reward); identity by default
 * @param limit       when too many failures stop the stage
 * @param maxAttempts Spark jobs per candidate before it is committed as failed
 */
public record AskStage(String label, Strategy strategy, int budget, Pacing pacing, String idPrefix, int firstRound,
                       int maxRounds, EstimatorSpec estimator, UnaryOperator<Evaluation> enrich,
                       UnaryOperator<Evaluation> told, FailureLimit limit, int maxAttempts) {

    /** The outcome: what the stage committed, its counts, the strategy's best, rounds (or tells) and those resumed. */
    public record Result(List<Evaluation> evaluations, Counts counts, Optional<Evaluation> best, int rounds,
                         int resumed) {
    }

    public AskStage {
        if (budget < 1) {
            throw new IllegalArgumentException("a stage needs a budget of at least one candidate, got " + budget);
        }
    }

    /** {@code budget} candidates of {@code strategy} paced by {@code pacing}, from round 0; no prefix or hook. */
    public static AskStage of(Strategy strategy, int budget, Pacing pacing, EstimatorSpec estimator) {
        return new AskStage("", strategy, budget, pacing, "", 0, Integer.MAX_VALUE, estimator, UnaryOperator.identity(),
                UnaryOperator.identity(), FailureLimit.NEVER, 1);
    }

    public AskStage labelled(String name) {
        return new AskStage(name, strategy, budget, pacing, idPrefix, firstRound, maxRounds, estimator, enrich, told,
                limit, maxAttempts);
    }

    /** Ids prefixed with {@code prefix}, in rounds {@code first} .. {@code first + rounds - 1} of the sweep. */
    public AskStage at(String prefix, int first, int rounds) {
        return new AskStage(label, strategy, budget, pacing, prefix, first, rounds, estimator, enrich, told, limit,
                maxAttempts);
    }

    /** Adds a hook after the ones before it. */
    public AskStage withHook(UnaryOperator<Evaluation> hook) {
        UnaryOperator<Evaluation> before = enrich;
        return new AskStage(label, strategy, budget, pacing, idPrefix, firstRound, maxRounds, estimator,
                e -> hook.apply(before.apply(e)), told, limit, maxAttempts);
    }

    public AskStage telling(UnaryOperator<Evaluation> signal) {
        return new AskStage(label, strategy, budget, pacing, idPrefix, firstRound, maxRounds, estimator, enrich,
                signal, limit, maxAttempts);
    }

    public AskStage limitedBy(FailureLimit failures, int attempts) {
        return new AskStage(label, strategy, budget, pacing, idPrefix, firstRound, maxRounds, estimator, enrich, told,
                failures, attempts);
    }

    /** Runs the stage to its budget, resuming what is committed. */
    public Result run(SweepRun run) {
        if (pacing instanceof Pacing.Rounds rounds) {
            return new RoundScheduler(this, rounds, run).execute();
        }
        if (pacing instanceof Pacing.Rungs rungs) {
            return new RungScheduler(this, rungs, run).execute();
        }
        return new AsyncScheduler(this, (Pacing.Async) pacing, run).execute();
    }

    /** A proposed candidate under this stage's id prefix. */
    Candidate named(Candidate c) {
        return idPrefix.isEmpty() ? c : new Candidate(idPrefix + c.id(), c.space(), c.genotype(), c.key(), c.origin(),
                c.parents().stream().map(p -> idPrefix + p).toList(), c.seed());
    }

    /** The strategy's own candidate of a proposed one (the id prefix taken off). */
    Candidate unnamed(Candidate c) {
        return idPrefix.isEmpty() || !c.id().startsWith(idPrefix) ? c : new Candidate(c.id().substring(
                idPrefix.length()), c.space(), c.genotype(), c.key(), c.origin(), c.parents().stream()
                .map(p -> p.startsWith(idPrefix) ? p.substring(idPrefix.length()) : p).toList(), c.seed());
    }

    /** An evaluation of the strategy's candidate as committed, under the stage's id prefix. */
    Evaluation named(Evaluation e) {
        return idPrefix.isEmpty() ? e : e.withCandidate(named(e.candidate()));
    }

    /** What the strategy is told of a committed evaluation of {@code asked} (its own candidate, not the prefixed). */
    Evaluation toldFor(Evaluation committed, Candidate asked) {
        return told.apply(idPrefix.isEmpty() ? committed : committed.withCandidate(asked));
    }

    /** "label: " before a labelled stage's lines. */
    String prefix(String line) {
        return label.isEmpty() ? line : label + ": " + line;
    }
}
