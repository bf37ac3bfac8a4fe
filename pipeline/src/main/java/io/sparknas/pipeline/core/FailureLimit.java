package io.sparknas.pipeline.core;

import java.util.Locale;

/**
 * Stops a stage once more than {@code maxFailedFraction} of its candidates failed (Katib's maxFailedTrialCount; 1 =
 * never), keeping what is committed; the share is judged only once {@code minSample} candidates are evaluated, so
 * that the first candidate failing is not "100 % failed". Pruned candidates are not failures: a scheduler's decisions
 * never trip it.
 */
public record FailureLimit(String sweep, double maxFailedFraction, int minSample, String setting) {
    public static final FailureLimit NEVER = new FailureLimit("", 1.0, 1, "");

    /** Judged from {@link #DEFAULT_SAMPLE} candidates on. */
    public FailureLimit(String sweep, double maxFailedFraction, String setting) {
        this(sweep, maxFailedFraction, DEFAULT_SAMPLE, setting);
    }

    /** Candidates evaluated before the share of failures counts (search.failureSample's default). */
    public static final int DEFAULT_SAMPLE = 5;

    /** Too many candidates failed: the sweep stops, keeping what it committed. */
    public static final class TooManyFailures extends IllegalStateException {
        TooManyFailures(String message) {
            super(message);
        }
    }

    /** Throws {@link TooManyFailures} when {@code counts}, after {@code round} (0-based), are over the limit. */
    public void check(Counts counts, int round) {
        if (counts.evaluated() >= Math.max(1, minSample) && counts.failed() > maxFailedFraction * counts.evaluated()) {
            throw new TooManyFailures(String.format(Locale.ROOT, "sweep %s stopped after round %d: %d of %d "
                    + "candidates failed (%.0f%%), more than %s = %s allows; what is committed is kept. See the "
                    + "'error' column of %s, fix the cause, and raise %s to continue", sweep, round + 1,
                    counts.failed(), counts.evaluated(), 100.0 * counts.failed() / counts.evaluated(), setting,
                    maxFailedFraction, ResultStore.CANDIDATES, setting));
        }
    }
}
