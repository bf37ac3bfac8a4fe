package io.sparknas.jobs.bench;

import io.sparknas.estimators.Devices;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.proxy.ProcessMemory;
import io.sparknas.estimators.proxy.ProxyConfig;
import io.sparknas.estimators.proxy.ProxyTrainingEstimator;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.estimators.training.SgdConfig;
import io.sparknas.pipeline.core.SparkEvaluator;
import io.sparknas.pipeline.core.SparkSessions;
import io.sparknas.pipeline.core.TaskResult;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.NetworkSize;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsSpace;
import io.sparknas.strategies.RandomSearch;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Estimator and pipeline benchmarks on real Fashion-MNIST proxies:
 * {@code --mode evaluation}: one whole proxy evaluation (wall time, accuracy);
 * {@code --mode memory}: resident memory after 5 and after 50 evaluations in one JVM (leak check);
 * {@code --mode pipeline}: one Spark round of N proxy candidates on local[cores] — executor seconds spent inside
 * the estimator over wall time x cores (the pipeline's overhead is the rest);
 * {@code --mode recalibration}: short proxies with and without batch-norm recalibration against a longer training;
 * {@code --mode repeat}: the same seeded candidate (the all-conv NAS-Bench-201 cell, where libtorch's first-use faults
 * were seen) evaluated N times in this JVM, from its first use on; prints every result and whether all agree.
 */
@Command(name = "bench-estimator", mixinStandardHelpOptions = true,
        description = "Benchmark whole proxy evaluations, memory over many evaluations, and Spark round overhead.")
public final class EstimatorBench implements Callable<Integer> {

    @Option(names = "--mode", defaultValue = "evaluation", description = "evaluation | memory | pipeline | repeat")
    String mode;

    @Option(names = "--candidates", defaultValue = "16",
            description = "memory and repeat: evaluations; pipeline: round size")
    int candidates;

    @Option(names = "--epochs", defaultValue = "2")
    int epochs;

    @Option(names = "--train-per-class", defaultValue = "500")
    int trainPerClass;

    @Option(names = "--channels", defaultValue = "16")
    int channels;

    @Option(names = "--resize", defaultValue = "0")
    int resize;

    @Option(names = "--cores", defaultValue = "2")
    int cores;

    @Option(names = "--recalibration-batches", defaultValue = "0",
            description = "estimator.proxy.recalibrationBatches; recalibration mode: the value compared with 0")
    int recalibrationBatches;

    @Option(names = "--reference-epochs", defaultValue = "4",
            description = "recalibration mode: the longer training both rankings are compared with")
    int referenceEpochs;

    @Override
    public Integer call() {
        Devices.configureThreads(1);
        ProxyConfig proxy = new ProxyConfig(epochs, resize > 0 ? 32 : 64, new SgdConfig(0.05, 0.9, 3e-4, 5),
                new NetworkSize(channels, 3, 3), 1, 10, 1, 0, recalibrationBatches);
        DataConfig data = new DataConfig("fashion-mnist", "", trainPerClass, 1.0, 50, 0, resize);
        List<Candidate> cands = candidates(candidates);
        switch (mode) {
            case "evaluation" -> {
                ProxyTrainingEstimator est = new ProxyTrainingEstimator(proxy, Datasets.load(data));
                Candidate c = cands.get(0);
                long t0 = System.nanoTime();
                Evaluation e = est.evaluate(c, EvaluationContext.defaults());
                System.out.printf(Locale.ROOT, "{\"mode\": \"evaluation\", \"train_images\": %d, \"epochs\": %d, "
                        + "\"channels\": %d, \"wall_s\": %.2f, \"train_s\": %.2f, \"val_accuracy\": %.4f, "
                        + "\"params\": %.0f, \"status\": \"%s\"}%n", Datasets.shared(data).train().size(), epochs, channels,
                        (System.nanoTime() - t0) / 1e9, e.metric(Metrics.TRAIN_SECONDS), e.accuracy(), e.metric(Metrics.PARAMS),
                        e.status());
            }
            case "memory" -> {
                ProxyTrainingEstimator est = new ProxyTrainingEstimator(proxy, Datasets.load(data));
                long after5 = 0;
                for (int i = 0; i < cands.size(); i++) {
                    est.evaluate(cands.get(i), EvaluationContext.defaults());
                    if (i == 4) {
                        System.gc();
                        after5 = ProcessMemory.residentBytes();
                    }
                }
                System.gc();
                long afterAll = ProcessMemory.residentBytes();
                System.out.printf(Locale.ROOT, "{\"mode\": \"memory\", \"evaluations\": %d, \"rss_after_5_mb\": %.1f, "
                        + "\"rss_after_all_mb\": %.1f, \"growth\": %.3f}%n", cands.size(), after5 / 1e6, afterAll / 1e6,
                        (double) afterAll / after5 - 1);
            }
            case "pipeline" -> pipeline(new ProxySpec(proxy, data), cands);
            case "repeat" -> {
                ProxyTrainingEstimator est = new ProxyTrainingEstimator(proxy, Datasets.load(data));
                Candidate c = new Candidate("conv", "nb201", "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+"
                        + "|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", "k", "random", List.of(), 8);
                java.util.Set<String> distinct = new java.util.LinkedHashSet<>();
                for (int i = 0; i < candidates; i++) {
                    Evaluation e = est.evaluate(c, EvaluationContext.defaults());
                    String result = e.status() + " " + e.accuracy() + " " + e.metric("train_loss");
                    distinct.add(result);
                    System.out.printf(Locale.ROOT, "{\"mode\": \"repeat\", \"run\": %d, \"status\": \"%s\", "
                            + "\"val_accuracy\": %.4f, \"train_loss\": %.6f, \"retries\": %.0f}%n", i + 1, e.status(),
                            e.accuracy(), e.metric("train_loss"), Double.isNaN(e.metric("retries")) ? 0 : e.metric("retries"));
                }
                System.out.printf(Locale.ROOT, "{\"mode\": \"repeat\", \"evaluations\": %d, \"distinct_results\": %d}%n",
                        candidates, distinct.size());
            }
            case "recalibration" -> recalibration(data, cands);
            default -> throw new IllegalArgumentException("--mode must be evaluation, memory, pipeline, repeat or "
                    + "recalibration, got " + mode);
        }
        return 0;
    }

    /**
     * Each candidate trained {@code --epochs} and scored without and with batch-norm recalibration, and trained
     * {@code --reference-epochs} without: the mean validation accuracy of each short proxy and Kendall's tau of its
     * ranking against the longer training's.
     */
    private void recalibration(DataConfig data, List<Candidate> cands) {
        if (recalibrationBatches <= 0) {
            throw new IllegalArgumentException("--mode recalibration needs --recalibration-batches > 0");
        }
        Datasets.Split split = Datasets.load(data);
        double[][] acc = new double[3][cands.size()];
        int[] settings = {0, recalibrationBatches, 0};
        for (int v = 0; v < 3; v++) {
            ProxyConfig p = new ProxyConfig(v == 2 ? referenceEpochs : epochs, resize > 0 ? 32 : 64,
                    new SgdConfig(0.05, 0.9, 3e-4, 5), new NetworkSize(channels, 3, 3), 1, 0, 1, 0, settings[v]);
            ProxyTrainingEstimator est = new ProxyTrainingEstimator(p, split);
            for (int i = 0; i < cands.size(); i++) {
                acc[v][i] = est.evaluate(cands.get(i), EvaluationContext.defaults()).accuracy();
            }
        }
        org.apache.commons.math3.stat.correlation.KendallsCorrelation tau =
                new org.apache.commons.math3.stat.correlation.KendallsCorrelation();
        for (int i = 0; i < cands.size(); i++) {
            System.out.printf(Locale.ROOT, "{\"mode\": \"recalibration\", \"candidate\": \"%s\", \"plain\": %.4f, "
                    + "\"recalibrated\": %.4f, \"reference\": %.4f}%n", cands.get(i).id(), acc[0][i], acc[1][i],
                    acc[2][i]);
        }
        System.out.printf(Locale.ROOT, "{\"mode\": \"recalibration\", \"candidates\": %d, \"epochs\": %d, "
                + "\"batches\": %d, \"reference_epochs\": %d, \"mean_plain\": %.4f, \"mean_recalibrated\": %.4f, "
                + "\"mean_reference\": %.4f, \"tau_plain\": %.3f, \"tau_recalibrated\": %.3f}%n", cands.size(), epochs,
                recalibrationBatches, referenceEpochs, mean(acc[0]), mean(acc[1]), mean(acc[2]),
                tau.correlation(acc[0], acc[2]), tau.correlation(acc[1], acc[2]));
    }

    private static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElse(Double.NaN);
    }

    private void pipeline(EstimatorSpec spec, List<Candidate> cands) {
        SparkSession spark = SparkSessions.create("bench-pipeline", "local[" + cores + "]",
                Map.of("spark.ui.enabled", "false"));
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            SparkEvaluator evaluator = new SparkEvaluator(jsc, spec);
            evaluator.evaluate(candidates(cores), cores);    // warm-up: executors build their estimators
            long t0 = System.nanoTime();
            List<TaskResult> results = evaluator.evaluate(cands, 0);
            double wall = (System.nanoTime() - t0) / 1e9;
            double inside = 0;
            for (TaskResult r : results) {
                inside += (r.evaluation().endMillis() - r.evaluation().startMillis()) / 1e3;
            }
            System.out.printf(Locale.ROOT, "{\"mode\": \"pipeline\", \"candidates\": %d, \"cores\": %d, \"wall_s\": %.2f, "
                    + "\"estimator_core_s\": %.2f, \"utilisation\": %.3f}%n", cands.size(), cores, wall, inside,
                    inside / (wall * cores));
        } finally {
            spark.stop();
        }
    }

    /** The first n candidates random search proposes on the DARTS space (seed 0). */
    static List<Candidate> candidates(int n) {
        return new RandomSearch<DartsGenotype>(new DartsSpace(), 0).ask(n);
    }
}
