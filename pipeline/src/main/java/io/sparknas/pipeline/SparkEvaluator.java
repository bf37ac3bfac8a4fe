package io.sparknas.pipeline;

import io.sparknas.estimators.Devices;
import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.EstimatorSpec;
import io.sparknas.estimators.proxy.ProxyTrainingEstimator;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.resource.ResourceInformation;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Evaluates a round of candidates on Spark: candidates become the partitions of an RDD; each task takes the
 * executor's estimator (built once per JVM) and evaluates its candidates on the device Spark assigned (a GPU
 * under resource scheduling, else the CPU). A failing candidate is a FAILED evaluation; an exception that
 * escapes (a lost executor, an injected fault) fails the task and Spark retries it, which gives the same result
 * because every candidate carries its own seed.
 */
public final class SparkEvaluator {
    private final JavaSparkContext jsc;
    private final EstimatorSpec spec;
    private final boolean failFirstAttempt;

    /**
     * @param failFirstAttempt fault injection for resilience tests: every task's first attempt throws after its
     *                         first candidate, so Spark must retry it ({@code spark.task.maxFailures} &gt; 1)
     */
    public SparkEvaluator(JavaSparkContext jsc, EstimatorSpec spec, boolean failFirstAttempt) {
        this.jsc = jsc;
        this.spec = spec;
        this.failFirstAttempt = failFirstAttempt;
    }

    public List<TaskResult> evaluate(List<Candidate> candidates, int partitions) {
        if (candidates.isEmpty()) {
            return List.of();
        }
        EstimatorSpec s = spec;
        boolean inject = failFirstAttempt;
        int slices = Math.max(1, Math.min(partitions <= 0 ? candidates.size() : partitions, candidates.size()));
        return jsc.parallelize(new ArrayList<>(candidates), slices)
                .mapPartitions((Iterator<Candidate> it) -> evaluatePartition(s, inject, it))
                .collect();
    }

    static Iterator<TaskResult> evaluatePartition(EstimatorSpec spec, boolean inject, Iterator<Candidate> it) {
        TaskContext ctx = TaskContext.get();
        Optional<String> gpu = assignedGpu(ctx);
        Estimator estimator = ExecutorEstimators.get(spec);
        String executor = SparkEnv.get() == null ? "driver" : SparkEnv.get().executorId();
        String host = hostName();
        int attempt = ctx == null ? 0 : ctx.attemptNumber();
        List<TaskResult> out = new ArrayList<>();
        while (it.hasNext()) {
            Candidate c = it.next();
            Evaluation e = estimator instanceof ProxyTrainingEstimator proxy && gpu.isPresent()
                    ? proxy.evaluate(c, Devices.choose(gpu), m -> { })
                    : estimator.evaluate(c);
            out.add(new TaskResult(e, executor, host, attempt));
            if (inject && attempt == 0) {
                throw new IllegalStateException("injected fault: first attempt of task " + ctx.partitionId()
                        + " fails after evaluating " + c.id() + " (pipeline.failFirstTaskAttempt)");
            }
        }
        return out.iterator();
    }

    static Optional<String> assignedGpu(TaskContext ctx) {
        if (ctx == null) {
            return Optional.empty();
        }
        Map<String, ResourceInformation> resources = scala.jdk.javaapi.CollectionConverters.asJava(ctx.resources());
        ResourceInformation gpu = resources.get("gpu");
        return gpu == null || gpu.addresses().length == 0 ? Optional.empty() : Optional.of(gpu.addresses()[0]);
    }

    static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "unknown";
        }
    }
}
