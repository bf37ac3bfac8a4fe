package io.sparknas.jobs;

import io.sparknas.estimators.spec.TabularSpec;
import io.sparknas.pipeline.core.SparkSessions;
import io.sparknas.pipeline.faults.FaultySpec;
import io.sparknas.pipeline.search.SearchLoop;
import io.sparknas.pipeline.search.SpaceConfig;
import io.sparknas.pipeline.search.SweepConfig;
import io.sparknas.strategies.StrategyConfig;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sweep on a real Spark standalone cluster: Spark's {@code local-cluster[2,1,1024]} master starts a standalone
 * Master and two Workers in this JVM, and the Workers launch two separate executor JVMs (from a SPARK_HOME whose
 * {@code jars/} holds this test's classpath). Candidates are evaluated in those JVMs and committed to Parquet: a
 * tabular sweep, a sweep of DJL proxy training whose rows must equal those of the same sweep in local mode, and a
 * sweep whose executor JVMs are halted mid-task (once: retried; every time: a FAILED row, the sweep completes).
 */
class StandaloneClusterTest {

    @Test
    void aSweepRunsOnAStandaloneClusterWithSeparateExecutorJvms(@TempDir Path dir) throws Exception {
        Path table = Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz").toAbsolutePath().normalize();
        SparkSession spark = localCluster(dir, "local-cluster[2,1,1024]", Map.of("spark.task.maxFailures", "2"));
        List<String> onCluster;
        try {
            SweepConfig cfg = new SweepConfig("standalone", dir.resolve("sweep").toString(),
                    new SpaceConfig("nb201", 4, List.of()), StrategyConfig.of("evolution", 3),
                    TabularSpec.of(table.toString(), "cifar10-val", "cifar10-test"), 12, 4, 4);
            SearchLoop.Result r = new SearchLoop(spark, cfg, System.out::println).run();
            assertEquals(12, r.counts().evaluated());
            assertEquals(0, r.counts().failed());
            List<Row> rows = r.sweep().store().candidates().collectAsList();
            assertEquals(12, rows.size());
            Set<String> executors = rows.stream().map(row -> row.<String>getAs("executor")).collect(Collectors.toSet());
            assertTrue(executors.stream().noneMatch("driver"::equals), "evaluated on executors, not the driver: " + executors);
            assertEquals(2, spark.sparkContext().getExecutorMemoryStatus().size() - 1, "two executor JVMs");

            // DJL proxy training in the executor JVMs
            SearchLoop.Result trained = new SearchLoop(spark, proxySweep(dir.resolve("proxy-cluster")),
                    System.out::println).run();
            assertEquals(0, trained.counts().failed());
            List<Row> trainedRows = trained.sweep().store().candidates().collectAsList();
            assertTrue(trainedRows.stream().noneMatch(row -> row.getAs("executor").equals("driver")));
            onCluster = essence(trainedRows);

            // An executor JVM halted mid-task (c000002, first attempt: Spark retries it on a new executor) and a
            // poison candidate that halts its executor on every attempt (c000006): evaluated in a job of its own twice
            // (an environmental failure, whatever search.maxAttempts), then one FAILED row; the sweep goes on.
            SweepConfig halting = new SweepConfig("standalone-halt", dir.resolve("halt").toString(),
                    new SpaceConfig("nb201", 4, List.of()), StrategyConfig.of("random", 4),
                    TabularSpec.of(table.toString(), "cifar10-val", "cifar10-test"), 8, 4, 4);
            SearchLoop.Result h = new SearchLoop(spark, FaultySpec.of(halting.estimator())
                    .halting(Set.of("c000006"), Set.of("c000002")).applyTo(halting), System.out::println).run();
            assertEquals(8, h.counts().evaluated());
            assertEquals(1, h.counts().failed());
            Map<String, Row> byId = h.sweep().store().candidates().collectAsList().stream()
                    .collect(Collectors.toMap(row -> row.<String>getAs("candidate_id"), row -> row));
            assertEquals("FAILED", byId.get("c000006").getAs("status"));
            assertTrue(byId.get("c000006").<String>getAs("error").startsWith("executor-lost:"),
                    byId.get("c000006").<String>getAs("error"));
            assertTrue(byId.get("c000006").<String>getAs("error").contains("(2 Spark jobs: an environmental failure "
                    + "is tried twice whatever search.maxAttempts)"), "a lost executor is never final on the first "
                    + "try: " + byId.get("c000006").<String>getAs("error"));
            assertEquals("OK", byId.get("c000002").getAs("status"), "retried after its executor died");
            assertTrue(byId.get("c000002").<Integer>getAs("task_attempt") >= 1);
        } finally {
            spark.stop();
            System.clearProperty("spark.testing");
            System.clearProperty("spark.test.home");
        }
        // the same sweep in local mode: the same candidates, trained to the same accuracies
        SparkSession local = SparkSessions.create("standalone-parity", "local[2]", Map.of("spark.ui.enabled", "false"));
        try {
            SearchLoop.Result r = new SearchLoop(local, proxySweep(dir.resolve("proxy-local")), s -> { }).run();
            assertEquals(onCluster, essence(r.sweep().store().candidates().collectAsList()));
        } finally {
            local.stop();
        }
    }

    /**
     * A Spark standalone cluster in this JVM ({@code master} = {@code local-cluster[workers,cores,memory]}) whose
     * executors are separate JVMs launched from a SPARK_HOME under {@code dir} whose {@code jars/} links this test's
     * classpath. Stop the session, then clear the {@code spark.testing} and {@code spark.test.home} properties.
     */
    static SparkSession localCluster(Path dir, String master, Map<String, String> extra) throws Exception {
        Path sparkHome = dir.resolve("spark-home");
        Path jars = Files.createDirectories(sparkHome.resolve("jars"));
        String classpath = System.getProperty("java.class.path");
        for (String entry : classpath.split(File.pathSeparator)) {
            Path p = Path.of(entry);
            if (entry.endsWith(".jar") && Files.isRegularFile(p) && !entry.contains("hadoop-client-minicluster")
                    && !entry.contains("mockwebserver") && !entry.contains("kubernetes-server-mock")) {
                Path link = jars.resolve(p.getFileName());
                if (!Files.exists(link)) {
                    Files.createSymbolicLink(link, p.toAbsolutePath());
                }
            }
        }
        System.setProperty("spark.testing", "true");
        System.setProperty("spark.test.home", sparkHome.toString());
        String opens = String.join(" ", List.of("-XX:+IgnoreUnrecognizedVMOptions",
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
                "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED", "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
                "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED", "-Dai.djl.offline=true"));
        Map<String, String> conf = new java.util.HashMap<>(Map.of(
                "spark.ui.enabled", "false",
                "spark.executor.memory", "1g",
                "spark.executor.extraClassPath", classpath,
                "spark.executor.extraJavaOptions", opens + " " + TestJvms.flagLine(),
                "spark.executorEnv.GLIBC_TUNABLES", System.getenv().getOrDefault("GLIBC_TUNABLES", ""),
                "spark.executorEnv.OMP_NUM_THREADS", "1"));
        conf.putAll(extra);
        return SparkSessions.create("standalone-test", master, conf);
    }

    /** Evolution over DARTS cells, 4 candidates in 2 rounds, each a tiny proxy trained for two epochs. */
    static SweepConfig proxySweep(Path out) {
        return JobConfig.load(Path.of("../conf/quickstart.conf"), proxySweepSettings(out)).sweep();
    }

    /** The quickstart's settings this sweep overrides. */
    static List<String> proxySweepSettings(Path out) {
        return List.of("sweep.output=" + out, "search.budget=4", "search.roundSize=2", "strategy.seed=5",
                "estimator.proxy.epochs=2", "estimator.proxy.latencyRepeats=0", "estimator.data.trainPerClass=30",
                "estimator.data.validationPerClass=10");
    }

    /** What must not depend on where a candidate ran: identity, seed, and the trained accuracy, bit for bit. */
    static List<String> essence(List<Row> rows) {
        return rows.stream().map(r -> r.getAs("candidate_id") + " " + r.getAs("genotype") + " " + r.getAs("seed")
                + " " + r.getAs("status") + " " + r.getAs("accuracy") + " " + r.getAs("params")).sorted().toList();
    }
}
