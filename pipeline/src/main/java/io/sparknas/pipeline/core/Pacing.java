package io.sparknas.pipeline.core;

/** How a stage that asks a strategy spends its budget: in rounds, or with a number of candidates in flight. */
public sealed interface Pacing {

    /**
     * Ask {@code size} candidates, evaluate them as one Spark job over {@code partitions} (0 = one per candidate),
     * commit them as one round, tell them: bit-reproducible.
     */
    record Rounds(int size, int partitions) implements Pacing {
        public Rounds {
            if (size < 1) {
                throw new IllegalArgumentException("a round needs at least one candidate, got " + size);
            }
        }

        /** The rounds {@code candidates} take. */
        public int roundsFor(int candidates) {
            return (candidates + size - 1) / size;
        }
    }

    /**
     * Keep {@code inFlight} candidates running (0 = Spark's default parallelism), each its own Spark job, committed
     * and told as it finishes (steady state, as AmoebaNet's evolution); resumable through the recorded order of tells.
     */
    record Async(int inFlight) implements Pacing {
    }

    /**
     * Keep {@code inFlight} jobs running (0 = Spark's default parallelism) as a multi-fidelity scheduler decides them:
     * each job one rung of one candidate's training, a paused candidate continued from its saved state when promoted.
     */
    record Rungs(int inFlight, io.sparknas.strategies.fidelity.SchedulerConfig scheduler) implements Pacing {
        public Rungs {
            if (!scheduler.enabled()) {
                throw new IllegalArgumentException("rung pacing needs a scheduler, got kind = " + scheduler.kind());
            }
        }
    }
}
