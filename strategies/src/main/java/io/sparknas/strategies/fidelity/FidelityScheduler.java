package io.sparknas.strategies.fidelity;

import java.util.List;
import java.util.Optional;

/**
 * Decides, on the driver, what a free slot trains next: a paused candidate promoted to its next rung, or a new one at
 * its bracket's lowest rung. Event-driven and deterministic: the same decisions, starts and reports in the same order
 * give the same state (how a resumed sweep replays its committed rung rows). Ties are broken by candidate id. Not
 * thread-safe: the driver's scheduling thread owns it.
 *
 * <p>Every candidate settles once ({@link #settled}): when it completes the top rung, fails, or pauses with no
 * promotion in sight; that is when the strategy hears of it, with the highest fidelity it reached. A settled paused
 * candidate may still be promoted later (ASHA: more results arrive below it); its further rungs are recorded, and
 * it does not settle again.
 */
public interface FidelityScheduler {

    /** A job: train {@code id} (null: a new candidate) of bracket {@code bracket} up to rung {@code rung}. */
    record Decision(String id, int bracket, int rung) {
        public boolean isNew() {
            return id == null;
        }
    }

    /** How a candidate's training ended, as far as the scheduler is concerned. */
    enum Outcome { COMPLETE, PAUSED, FAILED }

    /** A candidate that settled: its highest rung, that rung's epochs, and the accuracy there (NaN if it failed). */
    record Settled(String id, int rung, int epochs, Outcome outcome, double accuracy) {
    }

    /** The epochs of every rung, lowest first. */
    List<Integer> rungs();

    /**
     * The job for a slot that is free now, empty when none can start until a result arrives (or ever, see
     * {@link #finished}); {@code mayStartNew}: whether the budget allows another candidate.
     */
    Optional<Decision> decide(boolean mayStartNew);

    /** The candidate a new-candidate decision started (the strategy's, asked for it). */
    void started(String id, Decision decision);

    /** The result of {@code id}'s job up to {@code rung}: its validation accuracy, NaN if the job failed. */
    void reported(String id, int rung, double accuracy);

    /** The candidates that settled since the last call, in the order they did. */
    List<Settled> settled();

    /** Whether nothing runs and nothing could start: the sweep's end (paused candidates then settle). */
    boolean finished(boolean mayStartNew);

    /** Name, as {@code search.scheduler.kind}. */
    String name();
}
