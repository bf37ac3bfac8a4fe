package io.sparknas.pipeline.core;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A stage of many cheap items (a whole space's cells to score), split into parts of {@code perPart} items in a fixed
 * order; each part is one Spark task whose rows are committed as one round of {@code dataset} as soon as it finishes,
 * as many parts at once as Spark has slots. A stage stopped half-way resumes with the parts it lacks; a part is never
 * committed twice. Per-item failures are the task's to turn into rows (a scored cell's proxy error is data); a task
 * that throws fails the stage with nothing of its part committed.
 *
 * @param label   names the stage in progress lines ("scores")
 * @param dataset the dataset its rows land in, one round per part
 * @param schema  the rows' schema
 * @param items   what it processes, in order (part p holds items p * perPart ...)
 * @param perPart items per part (per Spark task, per commit)
 * @param task    runs on an executor: part number and its items to rows
 */
public record PartitionedStage<T extends Serializable>(String label, String dataset, StructType schema, List<T> items,
                                                       int perPart, Task<T> task) {

    /** One part's work, shipped to an executor. */
    @FunctionalInterface
    public interface Task<T> extends Serializable {
        List<Row> rows(int part, List<T> items);
    }

    public PartitionedStage {
        items = List.copyOf(items);
        if (perPart < 1) {
            throw new IllegalArgumentException(label + ": perPart must be positive, got " + perPart);
        }
    }

    public int parts() {
        return (items.size() + perPart - 1) / perPart;
    }

    private List<T> part(int p) {
        return new ArrayList<>(items.subList(p * perPart, Math.min(items.size(), (p + 1) * perPart)));
    }

    /** Runs the parts not committed yet; returns how many it ran. */
    public int run(SweepRun run) {
        List<Integer> committed = run.store().committedRounds(dataset);
        List<Integer> missing = new ArrayList<>();
        for (int p = 0; p < parts(); p++) {
            if (!committed.contains(p)) {
                missing.add(p);
            }
        }
        if (missing.isEmpty()) {
            run.log().accept("resuming: the " + label + " are committed (" + parts() + " parts, " + run.store()
                    .path(dataset) + ")");
            return 0;
        }
        if (missing.size() < parts()) {
            run.log().accept(String.format(Locale.ROOT, "resuming: %d of %d parts of the %s committed; running the "
                    + "other %d", parts() - missing.size(), parts(), label, missing.size()));
        }
        JavaSparkContext jsc = run.jsc();
        int slots = Math.max(1, Math.min(jsc.defaultParallelism(), missing.size()));
        ExecutorService pool = Executors.newFixedThreadPool(slots, r -> {
            Thread t = new Thread(r, "sparknas-" + label);
            t.setDaemon(true);
            return t;
        });
        long t0 = System.nanoTime();
        try {
            ExecutorCompletionService<Done> done = new ExecutorCompletionService<>(pool);
            Task<T> work = task;
            for (int p : missing) {
                List<T> its = part(p);
                done.submit(() -> new Done(p, jsc.parallelize(List.of(p), 1)
                        .flatMap(part -> work.rows(part, its).iterator()).collect()));
            }
            for (int i = 1; i <= missing.size(); i++) {
                Done d = take(done);
                run.sweep().commit(dataset, d.part(), d.rows(), schema);
                run.log().accept(String.format(Locale.ROOT, "%s: part %d committed (%d rows), %d of %d parts "
                        + "left, %s", label, d.part(), d.rows().size(), missing.size() - i, parts(),
                        Durations.since(t0)));
            }
        } finally {
            pool.shutdownNow();
        }
        return missing.size();
    }

    private record Done(int part, List<Row> rows) {
    }

    private static Done take(ExecutorCompletionService<Done> done) {
        try {
            Future<Done> f = done.take();
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a part", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }
}
