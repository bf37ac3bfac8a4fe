package io.sparknas.pipeline.search;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.sparknas.strategies.fidelity.SchedulerConfig;

import java.io.Serializable;

/**
 * How a search spends its budget, bound by name from the {@code search} section.
 *
 * @param budget            evaluations in total; may be raised on resume
 * @param roundSize         rounds mode: candidates per round (one Spark job each)
 * @param partitions        rounds mode: Spark partitions per round (0 = one per candidate, the best spread)
 * @param mode              {@link SearchMode}: {@code rounds}: ask a round, evaluate it, commit it, tell it (bit-reproducible);
 *                          {@code async}: keep {@code inFlight} candidates running, commit and tell each as it
 *                          finishes and ask for the next (steady state, as AmoebaNet's evolution; resumable through
 *                          the recorded order of tells); {@code auto} (the default): async for estimators that train
 *                          (their costs differ from candidate to candidate), rounds for table look-ups
 * @param inFlight          async: candidates running at once (0 = Spark's default parallelism, its task slots)
 * @param maxFailedFraction the sweep stops once more than this share of its candidates failed (Katib's
 *                          maxFailedTrialCount); 1 = never. Not part of the hash: it decides when to stop, not what is
 *                          found
 * @param maxAttempts       Spark jobs per candidate before it is committed as FAILED (each job has Spark's own task
 *                          retries, {@code spark.task.maxFailures}); 1 = a candidate whose job fails is failed at
 *                          once. Not part of the hash either
 * @param scheduler         {@code search.scheduler}: a multi-fidelity scheduler (successive halving, Hyperband, ASHA)
 *                          deciding how long each candidate trains; {@code kind = none} (the default) trains every
 *                          candidate in full. Asynchronous; part of the hash when set
 * @param warmStart         {@code search.warmStart}: a score sweep's ranking replacing the strategy's random draws
 *                          ({@link WarmStart}); off by default; part of the hash when set
 */
public record SearchSettings(int budget, int roundSize, int partitions, SearchMode mode, int inFlight,
                             double maxFailedFraction, int maxAttempts, SchedulerConfig scheduler,
                             WarmStart warmStart)
        implements Serializable {

    /** The {@code search} section as configured ({@code mode} as text, refused in one line if unknown). */
    @JsonCreator
    static SearchSettings bind(@JsonProperty("budget") int budget, @JsonProperty("roundSize") int roundSize,
                               @JsonProperty("partitions") int partitions, @JsonProperty("mode") String mode,
                               @JsonProperty("inFlight") int inFlight,
                               @JsonProperty("maxFailedFraction") double maxFailedFraction,
                               @JsonProperty("maxAttempts") int maxAttempts,
                               @JsonProperty("scheduler") SchedulerConfig scheduler,
                               @JsonProperty("warmStart") WarmStart warmStart) {
        return new SearchSettings(budget, roundSize, partitions, SearchMode.parse(mode), inFlight, maxFailedFraction,
                maxAttempts, scheduler, warmStart);
    }

    public SearchSettings {
        mode = mode == null ? SearchMode.AUTO : mode;
        scheduler = scheduler == null ? SchedulerConfig.none() : scheduler;
        warmStart = warmStart == null ? WarmStart.none() : warmStart;
        if (scheduler.enabled() && mode == SearchMode.ROUNDS) {
            throw new IllegalArgumentException("search.scheduler = " + scheduler.kind() + " runs asynchronously; set "
                    + "search.mode = async or auto, or search.scheduler.kind = none");
        }
        if (budget < 1) {
            throw new IllegalArgumentException("search.budget must be >= 1, got " + budget);
        }
        if (roundSize < 1 || roundSize > budget) {
            throw new IllegalArgumentException("search.roundSize must be in [1, budget=" + budget + "], got " + roundSize);
        }
        if (partitions < 0) {
            throw new IllegalArgumentException("search.partitions must be >= 0 (0 = one per candidate), got " + partitions);
        }
        if (inFlight < 0) {
            throw new IllegalArgumentException("search.inFlight must be >= 0 (0 = the executors' task slots), got "
                    + inFlight);
        }
        if (!(maxFailedFraction >= 0 && maxFailedFraction <= 1)) {
            throw new IllegalArgumentException("search.maxFailedFraction must be in [0, 1] (1 = never stop), got "
                    + maxFailedFraction);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("search.maxAttempts must be >= 1 (Spark jobs per candidate), got "
                    + maxAttempts);
        }
    }

    /** Without a scheduler: every candidate trains in full. */
    public SearchSettings(int budget, int roundSize, int partitions, SearchMode mode, int inFlight,
                          double maxFailedFraction, int maxAttempts) {
        this(budget, roundSize, partitions, mode, inFlight, maxFailedFraction, maxAttempts, SchedulerConfig.none(),
                WarmStart.none());
    }

    /** The same settings under {@code s} (asynchronous). */
    public SearchSettings withScheduler(SchedulerConfig s) {
        return new SearchSettings(budget, roundSize, partitions, s.enabled() ? SearchMode.ASYNC : mode, inFlight,
                maxFailedFraction, maxAttempts, s, warmStart);
    }

    /** The same settings warm-started by {@code w}. */
    public SearchSettings withWarmStart(WarmStart w) {
        return new SearchSettings(budget, roundSize, partitions, mode, inFlight, maxFailedFraction, maxAttempts,
                scheduler, w);
    }

    public SearchSettings(int budget, int roundSize, int partitions, SearchMode mode, int inFlight,
                          double maxFailedFraction) {
        this(budget, roundSize, partitions, mode, inFlight, maxFailedFraction, 1, SchedulerConfig.none(),
                WarmStart.none());
    }

    /** Rounds of {@code roundSize}, never stopping for failures. */
    public static SearchSettings rounds(int budget, int roundSize, int partitions) {
        return new SearchSettings(budget, roundSize, partitions, SearchMode.ROUNDS, 0, 1.0);
    }

    public boolean async() {
        if (mode == SearchMode.AUTO) {
            throw new IllegalStateException("search.mode 'auto' is resolved by the sweep (SweepConfig) first");
        }
        return mode == SearchMode.ASYNC;
    }

    /** {@code auto} made concrete: async when the estimator trains its candidates, else rounds. */
    public SearchSettings resolved(boolean estimatorTrains) {
        return mode != SearchMode.AUTO ? this : new SearchSettings(budget, roundSize, partitions,
                estimatorTrains || scheduler.enabled() ? SearchMode.ASYNC : SearchMode.ROUNDS, inFlight,
                maxFailedFraction, maxAttempts, scheduler, warmStart);
    }

    public SearchSettings withBudget(int newBudget) {
        return new SearchSettings(newBudget, Math.min(roundSize, newBudget), partitions, mode, inFlight,
                maxFailedFraction, maxAttempts, scheduler, warmStart);
    }
}
