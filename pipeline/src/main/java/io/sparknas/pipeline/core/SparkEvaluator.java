package io.sparknas.pipeline.core;

import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.CollectionAccumulator;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Evaluates a round of candidates on Spark: candidates become the partitions of an RDD; each task takes the
 * executor's estimator (built once per JVM) and evaluates its candidates through the {@link Estimator} contract,
 * with the GPU Spark assigned to the task in the {@link EvaluationContext} (resource scheduling; else the CPU). A failing candidate is a FAILED evaluation; an exception that
 * escapes (a lost executor, a native crash) fails the task and Spark retries it, which gives the same result
 * because every candidate carries its own seed.
 */
public final class SparkEvaluator {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SparkEvaluator.class);
    private final JavaSparkContext jsc;
    private final EstimatorSpec spec;
    private final Consumer<EpochReport> onEpoch;
    private final int maxAttempts;

    /** Each trained candidate's epochs go to the log as they happen (not the progress lines: there are many). */
    public SparkEvaluator(JavaSparkContext jsc, EstimatorSpec spec) {
        this(jsc, spec, EpochReport::log);
    }

    /** @param onEpoch hears each trained candidate's epochs on the driver while they run (see {@link EpochProgress}) */
    public SparkEvaluator(JavaSparkContext jsc, EstimatorSpec spec, Consumer<EpochReport> onEpoch) {
        this(jsc, spec, onEpoch, 1);
    }

    private SparkEvaluator(JavaSparkContext jsc, EstimatorSpec spec, Consumer<EpochReport> onEpoch, int maxAttempts) {
        this.jsc = jsc;
        this.spec = spec;
        this.onEpoch = onEpoch;
        this.maxAttempts = maxAttempts;
    }

    /** The same evaluator running a candidate whose Spark job failed up to {@code attempts} times in all. */
    public SparkEvaluator withMaxAttempts(int attempts) {
        return new SparkEvaluator(jsc, spec, onEpoch, attempts);
    }

    /**
     * Evaluates the candidates as one Spark job. When the job fails (a task failed on every attempt: a lost executor,
     * a native crash, a container killed for memory), each candidate is evaluated in a job of its own (up to
     * {@code maxAttempts} jobs), and one whose jobs fail too is a FAILED row with the reason: a poison candidate costs
     * its own evaluation, never the round or the sweep (which would fail again on resume, with the same seeds).
     */
    public List<TaskResult> evaluate(List<Candidate> candidates, int partitions) {
        if (candidates.isEmpty()) {
            return List.of();
        }
        int slices = Math.max(1, Math.min(partitions <= 0 ? candidates.size() : partitions, candidates.size()));
        try {
            return job(candidates, slices);
        } catch (Exception e) {
            sparkFailure(e);
            LOG.warn("a Spark job of {} candidates failed ({}); evaluating them one job each", candidates.size(),
                    e.getMessage());
            List<TaskResult> out = new ArrayList<>();
            for (Candidate c : candidates) {
                for (int attempt = 1; ; attempt++) {
                    try {
                        out.addAll(job(List.of(c), 1));
                        break;
                    } catch (Exception alone) {
                        Optional<TaskResult> failed = afterFailedJob(c, sparkFailure(alone), attempt);
                        if (failed.isPresent()) {
                            out.add(failed.get());
                            break;
                        }
                    }
                }
            }
            return out;
        }
    }

    /**
     * The one retry rule, for rounds and asynchronous evaluation alike: after the {@code attempt}-th failed Spark job
     * of candidate {@code c} alone, empty (run it again) while attempts are left, else its FAILED row.
     */
    private Optional<TaskResult> afterFailedJob(Candidate c, org.apache.spark.SparkException e, int attempt) {
        int allowed = environmental(e) ? Math.max(maxAttempts, 2) : maxAttempts;
        if (attempt < allowed) {
            LOG.warn("candidate {}: its Spark job failed (attempt {} of {}), running it again", c.id(), attempt,
                    allowed);
            return Optional.empty();
        }
        return Optional.of(failed(c, e, attempt));
    }

    /**
     * Failures of the machine rather than the candidate (an executor lost, decommissioned or preempted, CUDA out of
     * memory beside other tasks, a dataset missing on one host): never a final result on the first try, so such a
     * candidate gets a second Spark job even with {@code search.maxAttempts = 1}.
     */
    private static final java.util.regex.Pattern ENVIRONMENTAL = java.util.regex.Pattern.compile(
            "ExecutorLostFailure|[Dd]ecommission|[Pp]reempt|CUDA out of memory|CUDA error: out of memory"
                    + "|DatasetException");

    static boolean environmental(Exception e) {
        return e.getMessage() != null && ENVIRONMENTAL.matcher(e.getMessage()).find();
    }

    /**
     * A Spark job's failure (a task failed on every attempt); a job that failed because Spark is stopping (SIGTERM,
     * {@code yarn application -kill}, a pod eviction) is no result at all ({@link SparkStopped}); anything else is the
     * driver's own error, rethrown.
     */
    private org.apache.spark.SparkException sparkFailure(Throwable t) {
        SparkStopped.check(jsc, t);
        if (t instanceof org.apache.spark.SparkException spark) {
            return spark;
        }
        throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    /** A candidate whose Spark jobs ({@code jobs} of them) failed, as a FAILED row with the reason. */
    static TaskResult failed(Candidate c, Exception e, int jobs) {
        long now = System.currentTimeMillis();
        String reason = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(e.toString());
        String what = reason.contains("ExecutorLostFailure") ? "executor-lost: its executor was lost on every attempt "
                + "(a native crash or a container over its memory limit?): "
                : "its Spark task failed on every attempt (a lost executor, a native crash or a container over its "
                + "memory limit?): ";
        String tries = jobs <= 1 ? "" : environmental(e) ? " (" + jobs + " Spark jobs: an environmental failure is "
                + "tried twice whatever search.maxAttempts)" : " (" + jobs + " Spark jobs, search.maxAttempts)";
        return new TaskResult(Evaluation.failed(c, what + reason + tries, Map.of(Metrics.ATTEMPTS, (double) jobs), "", now,
                now), "driver", ExecutorInfo.hostName(), -1);
    }

    /**
     * Candidates evaluated one Spark job each, submitted as Spark's asynchronous actions ({@code collectAsync}) in
     * the sweep's scheduler pool, so that several run at once and each is seen as it finishes: the asynchronous
     * search. One epoch listener for all of them; close after the last.
     */
    public final class Async implements AutoCloseable {
        private final EpochProgress progress = EpochProgress.register(jsc.sc(), onEpoch);

        public org.apache.spark.api.java.JavaFutureAction<List<TaskResult>> submit(Candidate c) {
            return submit(c, null);
        }

        /** {@code c} trained only over {@code part} of its training (a rung), or whole when it is null. */
        org.apache.spark.api.java.JavaFutureAction<List<TaskResult>> submit(Candidate c, RungTraining part) {
            try {
                describe(List.of(c));
                EstimatorSpec s = spec;
                CollectionAccumulator<EpochReport> epochs = progress.accumulator();
                return jsc.parallelize(List.of(c), 1)
                        .mapPartitions((Iterator<Candidate> it) -> evaluatePartition(s, epochs, it, part))
                        .collectAsync();
            } catch (IllegalStateException e) {
                SparkStopped.check(jsc, e); // Spark stopped between two submissions
                throw e;
            }
        }

        /**
         * The finished job's result, empty when the job failed and the candidate has attempts left (submit it
         * again); a candidate whose {@code attempt}-th job failed with none left is a FAILED row.
         */
        public Optional<TaskResult> result(Candidate c, java.util.concurrent.Future<List<TaskResult>> done,
                                           int attempt) {
            try {
                return Optional.of(done.get().get(0));
            } catch (java.util.concurrent.ExecutionException e) {
                return afterFailedJob(c, sparkFailure(e.getCause()), attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for candidate " + c.id(), e);
            }
        }

        @Override
        public void close() {
            progress.close();
        }
    }

    public Async async() {
        return new Async();
    }

    /**
     * Trains {@code c} again as a Spark task, on an executor (its GPU where Spark assigned one), and saves the trained
     * parameters to {@code modelDir}, a Hadoop path ({@code hdfs://}, {@code s3a://}, a local folder): the model is
     * saved to the executor's local disk, copied there, and the local copy removed. How a sweep's winner is
     * exported on a cluster, where the driver may have neither a GPU nor the executors' data. Returns the evaluation
     * and whether a model was saved (an estimator that trains nothing, a table, saves none).
     */
    public Retrained retrain(Candidate c, String modelDir) {
        describe(List.of(c));
        EstimatorSpec s = spec;
        HadoopSettings hadoop = HadoopSettings.of(jsc.hadoopConfiguration());
        return jsc.parallelize(List.of(c), 1).map(candidate -> {
            java.nio.file.Path local = java.nio.file.Files.createTempDirectory("sparknas-model-");
            try {
                java.nio.file.Path model = local.resolve("model");
                EvaluationContext context = EvaluationContext.onGpu(ExecutorInfo.assignedGpu(TaskContext.get()))
                        .savingModelTo(model);
                Evaluation e = ExecutorEstimators.get(s).evaluate(candidate, context);
                boolean saved = e.isOk() && java.nio.file.Files.isDirectory(model);
                if (saved) {
                    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(modelDir);
                    org.apache.hadoop.fs.FileSystem fs = target.getFileSystem(hadoop.configuration());
                    fs.setWriteChecksum(false);
                    fs.delete(target, true); // an earlier export's model is replaced whole
                    fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(model.toUri()), target);
                }
                return new Retrained(new TaskResult(e, ExecutorInfo.executorId(), ExecutorInfo.hostName(),
                        ExecutorInfo.attempt()), saved);
            } finally {
                try (var files = java.nio.file.Files.walk(local)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }).collect().get(0);
    }

    /** A candidate trained again by {@link #retrain}: its evaluation, and whether its model was saved. */
    public record Retrained(TaskResult result, boolean modelSaved) implements java.io.Serializable {
    }

    /** Names the next job in the Spark UI: the sweep's job group (set by Sweep.open) and the candidates. */
    private void describe(List<Candidate> candidates) {
        String group = jsc.getLocalProperty("spark.jobGroup.id");
        jsc.setJobDescription((group == null ? "" : group + ": ") + (candidates.size() == 1
                ? "candidate " + candidates.get(0).id()
                : candidates.size() + " candidates " + candidates.get(0).id() + ".." + candidates.get(candidates.size()
                - 1).id()));
    }

    private List<TaskResult> job(List<Candidate> candidates, int slices) {
        describe(candidates);
        EstimatorSpec s = spec;
        try (EpochProgress progress = EpochProgress.register(jsc.sc(), onEpoch)) {
            CollectionAccumulator<EpochReport> epochs = progress.accumulator();
            return jsc.parallelize(new ArrayList<>(candidates), slices)
                    .mapPartitions((Iterator<Candidate> it) -> evaluatePartition(s, epochs, it, null))
                    .collect();
        }
    }

    static Iterator<TaskResult> evaluatePartition(EstimatorSpec spec, CollectionAccumulator<EpochReport> epochs,
                                                  Iterator<Candidate> it, RungTraining part)
            throws java.io.IOException {
        TaskContext ctx = TaskContext.get();
        EvaluationContext context = EvaluationContext.onGpu(ExecutorInfo.assignedGpu(ctx))
                .withEpochs(EpochProgress.executorListener(epochs));
        if (context.assignedGpu().isPresent()) {
            io.sparknas.estimators.Devices.choose(context.assignedGpu()); // a GPU DJL cannot see fails the task
        }
        Estimator estimator = ExecutorEstimators.get(spec);
        String executor = ExecutorInfo.executorId();
        String host = ExecutorInfo.hostName();
        int attempt = ctx == null ? 0 : ctx.attemptNumber();
        List<TaskResult> out = new ArrayList<>();
        while (it.hasNext()) {
            Candidate c = it.next();
            Evaluation e = part == null ? estimator.evaluate(c, context) : part.run(estimator, c, context);
            out.add(new TaskResult(e, executor, host, attempt));
        }
        return out.iterator();
    }

}
