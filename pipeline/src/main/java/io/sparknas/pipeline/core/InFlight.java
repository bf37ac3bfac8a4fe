package io.sparknas.pipeline.core;

import io.sparknas.space.Candidate;
import org.apache.spark.api.java.JavaFutureAction;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The evaluator contract of the stages that run candidates one Spark job each: submit a candidate while there is
 * room ({@code capacity} at once), take the next final result as soon as any job finishes. A job that failed with
 * attempts left runs again before its result is final ({@link SparkEvaluator}'s one retry rule); closing cancels
 * what still runs, so a stage stopped early leaves nothing running.
 */
final class InFlight implements AutoCloseable {
    private final SparkEvaluator.Async async;
    private final int capacity;
    private final Map<Candidate, JavaFutureAction<List<TaskResult>>> running = new LinkedHashMap<>();
    private final Map<String, Integer> attempts = new HashMap<>();
    private final java.util.function.Function<Candidate, RungTraining> parts;

    InFlight(SparkEvaluator evaluator, int capacity) {
        this(evaluator, capacity, c -> null);
    }

    /** Each candidate trained over the part of its training {@code parts} gives (null: all of it). */
    InFlight(SparkEvaluator evaluator, int capacity, java.util.function.Function<Candidate, RungTraining> parts) {
        this.async = evaluator.async();
        this.capacity = Math.max(1, capacity);
        this.parts = parts;
    }

    boolean hasRoom() {
        return running.size() < capacity;
    }

    int running() {
        return running.size();
    }

    void submit(Candidate c) {
        running.put(c, async.submit(c, parts.apply(c)));
    }

    /** The next candidate's final result (its row, FAILED once its attempts are spent), waiting for one. */
    TaskResult next() {
        while (true) {
            Candidate done = firstDone();
            Optional<TaskResult> result = async.result(done, running.remove(done),
                    attempts.merge(done.id(), 1, Integer::sum));
            if (result.isPresent()) {
                attempts.remove(done.id()); // its next job (a later rung) has its own attempts
                return result.get();
            }
            submit(done); // its job failed and it has attempts left: it runs again
        }
    }

    private Candidate firstDone() {
        while (true) {
            for (Map.Entry<Candidate, JavaFutureAction<List<TaskResult>>> e : running.entrySet()) {
                if (e.getValue().isDone()) {
                    return e.getKey();
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while candidates ran", e);
            }
        }
    }

    @Override
    public void close() {
        running.values().forEach(f -> f.cancel(true));
        async.close();
    }
}
