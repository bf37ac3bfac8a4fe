package io.sparknas.pipeline.core;

import io.sparknas.estimators.EvaluationContext;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.CollectionAccumulator;
import scala.Option;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Per-epoch metrics of candidates being trained, from the executors to the driver: the estimator's
 * {@link EvaluationContext.EpochListener} adds a {@link EpochReport} to a named accumulator; the driver reads it from
 * executor heartbeats while the task runs ({@code spark.executor.heartbeatInterval}), from each task's end, and, when
 * the job is done, from the accumulator's merged value, and hands every report to its consumer once (from the listener bus or the caller's
 * thread: the consumer must be thread-safe). Register around one Spark job; close after it.
 */
final class EpochProgress extends SparkListener implements AutoCloseable {
    private final SparkContext sc;
    private final CollectionAccumulator<EpochReport> accumulator;
    private final Consumer<EpochReport> consumer;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    private EpochProgress(SparkContext sc, Consumer<EpochReport> consumer) {
        this.sc = sc;
        this.accumulator = sc.collectionAccumulator("sparknas epoch progress");
        this.consumer = consumer;
    }

    static EpochProgress register(SparkContext sc, Consumer<EpochReport> consumer) {
        EpochProgress p = new EpochProgress(sc, consumer);
        sc.addSparkListener(p);
        return p;
    }

    /** The accumulator, for the task closure (executors add to their copy of it). */
    CollectionAccumulator<EpochReport> accumulator() {
        return accumulator;
    }

    /** The listener an executor puts into its estimators' context. */
    static EvaluationContext.EpochListener executorListener(CollectionAccumulator<EpochReport> accumulator) {
        return (candidateId, epoch, metrics) -> {
            String e = io.sparknas.space.Metrics.epochPrefix(epoch);
            Map<String, Double> m = new TreeMap<>();
            metrics.forEach((k, v) -> {
                if (k.startsWith(e)) {
                    m.put(k.substring(e.length()), v);
                }
            });
            accumulator.add(new EpochReport(candidateId, epoch, m));
        };
    }

    @Override
    public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
        for (var task : list(update.accumUpdates())) {
            for (AccumulableInfo info : list(task._4())) {
                Option<Object> value = info.update();
                if (info.id() == accumulator.id() && value.isDefined() && value.get() instanceof List<?> reports) {
                    deliver(reports);
                }
            }
        }
    }

    /** A finished task's final value: the epochs it reported after its last heartbeat. */
    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskInfo() == null) {
            return;
        }
        for (AccumulableInfo info : list(end.taskInfo().accumulables())) {
            Option<Object> value = info.update();
            if (info.id() == accumulator.id() && value.isDefined() && value.get() instanceof List<?> reports) {
                deliver(reports);
            }
        }
    }

    /** A Scala collection's elements, by its iterator: the same code for Scala 2.12 (Spark 3.5) and 2.13. */
    static <T> List<T> list(scala.collection.Iterable<T> items) {
        List<T> out = new java.util.ArrayList<>();
        scala.collection.Iterator<T> it = items.iterator();
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    private void deliver(List<?> reports) {
        for (Object o : reports) {
            if (o instanceof EpochReport r && seen.add(r.candidateId() + "@" + r.epoch())) {
                consumer.accept(r);
            }
        }
    }

    /** Delivers what the finished tasks reported and heartbeats did not carry, then stops listening. */
    @Override
    public void close() {
        sc.removeSparkListener(this);
        deliver(accumulator.value());
    }
}
