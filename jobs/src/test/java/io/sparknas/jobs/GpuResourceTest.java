package io.sparknas.jobs;

import io.sparknas.space.TestData;
import io.sparknas.estimators.Devices;
import io.sparknas.pipeline.core.ExecutorInfo;
import io.sparknas.pipeline.core.SparkEvaluator;
import io.sparknas.pipeline.core.TaskResult;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.SearchSpace;
import io.sparknas.space.SeededRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GPU path with Spark's resource scheduling and a fake GPU (a discovery script that reports GPU "0" on a machine
 * without one), on a standalone cluster of separate executor JVMs: a task Spark gives a GPU that DJL cannot see
 * fails with a sentence that says so; with {@code SPARKNAS_GPU_FALLBACK=cpu} it trains on the CPU and the row records
 * {@code cpu()}; {@code spark.task.resource.gpu.amount = 0.5} runs two small proxies at once on the one GPU.
 */
class GpuResourceTest {

    private static SparkSession cluster(Path dir, Map<String, String> extra) throws Exception {
        Files.createDirectories(dir);
        Path script = dir.resolve("fake-gpu-discovery.sh");
        Files.writeString(script, "#!/usr/bin/env bash\necho '{\"name\": \"gpu\", \"addresses\": [\"0\"]}'\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> conf = new java.util.HashMap<>(Map.of(
                "spark.worker.resource.gpu.amount", "1",
                "spark.worker.resource.gpu.discoveryScript", script.toString(),
                "spark.executor.resource.gpu.amount", "1",
                "spark.executor.cores", "2",
                "spark.task.resource.gpu.amount", "0.5",
                "spark.task.maxFailures", "1"));
        conf.putAll(extra);
        return StandaloneClusterTest.localCluster(dir, "local-cluster[1,2,1536]", conf);
    }

    /** Two random candidates of the sweep's space, seeded. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<Candidate> candidates(io.sparknas.pipeline.search.SweepConfig cfg) {
        SearchSpace space = cfg.space().create();
        List<Candidate> out = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Object g = space.sample(new SeededRandom(100 + i));
            out.add(new Candidate("c00000" + i, space.name(), space.format(g), space.canonicalKey(g), "random",
                    List.of(), 7 + i));
        }
        return out;
    }

    @Test
    void aTaskGivenAGpuThatDjlCannotSeeFailsSayingSoOrTrainsOnTheCpuWhenAllowed(@TempDir Path dir) throws Exception {
        TestData.require(Files.isDirectory(Path.of(io.sparknas.estimators.data.DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        io.sparknas.pipeline.search.SweepConfig sweep = StandaloneClusterTest.proxySweep(dir.resolve("unused"));
        List<Candidate> two = candidates(sweep);

        SparkSession strict = cluster(dir.resolve("strict"), Map.of());
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(strict.sparkContext());
            List<TaskResult> results = new SparkEvaluator(jsc, sweep.estimator()).evaluate(two, 2);
            for (TaskResult r : results) {
                Evaluation e = r.evaluation();
                assertEquals(Evaluation.Status.FAILED, e.status());
                assertTrue(e.error().contains("Spark assigned GPU 0 to this task but DJL sees no GPU")
                        && e.error().contains("spark.executorEnv." + Devices.FALLBACK + "=cpu"), e.error());
            }
        } finally {
            strict.stop();
            System.clearProperty("spark.testing");
            System.clearProperty("spark.test.home");
        }

        SparkSession lenient = cluster(dir.resolve("fallback"), Map.of("spark.executorEnv." + Devices.FALLBACK, "cpu"));
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(lenient.sparkContext());
            List<String> gpus = jsc.parallelize(List.of(1, 2), 2).map(i -> ExecutorInfo.assignedGpu(
                    org.apache.spark.TaskContext.get()).orElse("none")).collect();
            assertEquals(List.of("0", "0"), gpus, "both tasks hold half of GPU 0");
            List<TaskResult> results = new SparkEvaluator(jsc, sweep.estimator()).evaluate(two, 2);
            for (TaskResult r : results) {
                Evaluation e = r.evaluation();
                assertTrue(e.isOk(), e.error());
                assertEquals("cpu()", e.device());
                assertTrue(!r.executor().equals("driver"));
            }
            // two tasks of half a GPU each run at once on the one executor: each waits for the other to arrive
            List<Boolean> together = jsc.parallelize(List.of(1, 2), 2).map(i -> Rendezvous.arrive()).collect();
            assertEquals(List.of(true, true), together, "0.5 GPU per task: two tasks ran at once on the one executor");
        } finally {
            lenient.stop();
            System.clearProperty("spark.testing");
            System.clearProperty("spark.test.home");
        }
    }

    /** Two tasks meet here only if the scheduler runs them at once in one executor JVM (a hang guard of 2 minutes). */
    static final class Rendezvous {
        private static final java.util.concurrent.CountDownLatch BOTH = new java.util.concurrent.CountDownLatch(2);

        static boolean arrive() throws InterruptedException {
            BOTH.countDown();
            return BOTH.await(2, java.util.concurrent.TimeUnit.MINUTES);
        }
    }
}
