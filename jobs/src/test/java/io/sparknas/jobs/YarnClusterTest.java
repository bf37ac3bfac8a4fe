package io.sparknas.jobs;

import io.sparknas.space.TestData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparknas.estimators.data.DataConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.yarn.api.records.ApplicationReport;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.client.api.YarnClient;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The application jar on YARN in cluster mode, as a user submits it: Hadoop's {@code MiniYARNCluster} (a resource
 * manager and a node manager in this JVM, containers as separate JVMs) and {@code MiniDFSCluster} (HDFS, also the
 * default file system, so the jar and configuration are staged there), the jar submitted through Spark's own
 * {@code SparkSubmit} with {@code --deploy-mode cluster} (the driver runs in the application master's container):
 * a tabular sweep with its table shipped by {@code --files}, and a proxy sweep with Fashion-MNIST shipped by
 * {@code --archives} and libtorch from {@code PYTORCH_LIBRARY_PATH}, both writing Parquet and the export to
 * {@code hdfs://}; a bad configuration ends FAILED. The final statuses are YARN's, the rows are read back from HDFS.
 * Spark and Hadoop reach the containers as {@code spark.{driver,executor}.extraClassPath} (the classpath a Spark
 * installation puts there), as in Spark's own YARN tests.
 */
class YarnClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void sweepsSubmittedInClusterModeSucceedOnYarnAndWriteToHdfs(@TempDir Path dir) throws Exception {
        Path fashion = Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR);
        TestData.require(Files.isDirectory(fashion), "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        long start = System.nanoTime();
        Path jar = ApplicationJarTest.buildApplicationJar(dir);
        System.out.printf("application jar ready after %.0f s%n", (System.nanoTime() - start) / 1e9);

        Configuration dfsConf = new Configuration();
        dfsConf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(dfsConf).numDataNodes(1).build();
        MiniYARNCluster yarn = null;
        try {
            hdfs.waitActive();
            String defaultFs = hdfs.getURI().toString();
            yarn = startYarn(defaultFs);
            Path props = properties(dir, yarn.getConfig(), defaultFs);
            Path confDir = Files.createDirectories(dir.resolve("yarn-conf"));

            // 1. a tabular sweep; its table travels with --files
            Path table = Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz")
                    .toAbsolutePath().normalize();
            String tabular = defaultFs + "/sweeps/tabular";
            submit(dir, jar, props, confDir, List.of("--files", table.toString()), List.of("search", "--conf",
                    REPO.resolve("conf/tabular-nb201.conf").toString(), "--set", "sweep.output=" + tabular, "--set",
                    "estimator.table.path=nb201_12ep.csv.gz", "--set", "search.budget=20"), 0);

            // 2. a proxy sweep: the dataset travels with --archives, libtorch comes from PYTORCH_LIBRARY_PATH
            Path archive = dir.resolve("fashion-mnist.tar");
            run(List.of("tar", "-C", fashion.toString(), "-cf", archive.toString(), "."), dir);
            String proxy = defaultFs + "/sweeps/proxy";
            List<String> proxyArgs = new ArrayList<>(List.of("search", "--conf",
                    REPO.resolve("conf/quickstart.conf").toString()));
            for (String s : StandaloneClusterTest.proxySweepSettings(Path.of("unused"))) {
                if (!s.startsWith("sweep.output=")) {
                    proxyArgs.addAll(List.of("--set", s));
                }
            }
            proxyArgs.addAll(List.of("--set", "sweep.output=" + proxy, "--set", "estimator.data.dir=fashion-mnist",
                    "--set", "search.mode=async"));
            submit(dir, jar, props, confDir, List.of("--archives", archive + "#fashion-mnist"), proxyArgs, 0);

            // 3. a configuration refused: exit code 2 in the driver, FAILED on YARN
            submit(dir, jar, props, confDir, List.of(), List.of("search", "--conf",
                    REPO.resolve("conf/tabular-nb201.conf").toString(), "--set", "sweep.output=" + defaultFs
                            + "/sweeps/refused", "--set", "search.budget=0"), 1); // YARN's verdict is read below

            List<ApplicationReport> apps = applications(yarn.getConfig());
            assertEquals(List.of(FinalApplicationStatus.SUCCEEDED, FinalApplicationStatus.SUCCEEDED,
                    FinalApplicationStatus.FAILED), apps.stream().map(ApplicationReport::getFinalApplicationStatus)
                    .toList(), apps.toString());
            if (!org.apache.spark.package$.MODULE$.SPARK_VERSION().startsWith("3.")) {
                // Spark 4's application master puts the driver's exception in YARN's diagnostics; Spark 3.5's gives
                // only the container's exit code (13), the reason staying in the driver's log
                assertTrue(apps.get(2).getDiagnostics().contains("failed with exit code 2"),
                        apps.get(2).getDiagnostics());
            }

            FileSystem fs = hdfs.getFileSystem();
            SparkSession spark = SparkSession.builder().master("local[1]").appName("yarn-check")
                    .config("spark.ui.enabled", "false").getOrCreate();
            try {
                List<Row> rows = spark.read().parquet(tabular + "/candidates").collectAsList();
                assertEquals(20, rows.size());
                assertTrue(rows.stream().allMatch(r -> r.getAs("status").equals("OK")));
                assertTrue(rows.stream().noneMatch(r -> r.getAs("executor").equals("driver")), "on YARN executors");
                List<Row> trained = spark.read().parquet(proxy + "/candidates").collectAsList();
                assertEquals(4, trained.size());
                assertTrue(trained.stream().allMatch(r -> r.getAs("status").equals("OK")), trained.toString());
            } finally {
                spark.stop();
            }
            JsonNode exported = JSON.readTree(fs.open(new org.apache.hadoop.fs.Path("/sweeps/proxy/export/genotype.json")));
            assertEquals(exported.path("accuracy").asDouble(), exported.path("retrainedAccuracy").asDouble());
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/sweeps/proxy/export/model/model-0000.params")));
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path("/sweeps/tabular/export/genotype.json")));
        } finally {
            if (yarn != null) {
                yarn.stop();
            }
            hdfs.shutdown();
        }
    }

    /** A resource manager and a node manager, with the capacity scheduler's queue that the minicluster jar lacks. */
    private static MiniYARNCluster startYarn(String defaultFs) throws Exception {
        YarnConfiguration conf = new YarnConfiguration();
        conf.set("fs.defaultFS", defaultFs);
        conf.set("yarn.nodemanager.disk-health-checker.max-disk-utilization-per-disk-percentage", "100.0");
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.setInt("yarn.scheduler.capacity.root.default.capacity", 100);
        conf.setFloat("yarn.scheduler.capacity.root.default.user-limit-factor", 1);
        conf.setInt("yarn.scheduler.capacity.root.default.maximum-capacity", 100);
        conf.set("yarn.scheduler.capacity.root.default.state", "RUNNING");
        conf.set("yarn.scheduler.capacity.root.default.acl_submit_applications", "*");
        conf.set("yarn.scheduler.capacity.root.default.acl_administer_queue", "*");
        conf.setInt("yarn.scheduler.capacity.node-locality-delay", -1);
        conf.set("yarn.resourcemanager.hostname", "localhost");
        conf.setInt("yarn.nodemanager.resource.memory-mb", 8192);
        conf.setInt("yarn.nodemanager.resource.cpu-vcores", 4);
        conf.setInt("yarn.scheduler.minimum-allocation-mb", 256);
        conf.setBoolean("yarn.nodemanager.vmem-check-enabled", false);
        MiniYARNCluster yarn = new MiniYARNCluster("sparknas", 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        long start = System.nanoTime();
        while (yarn.getConfig().get(YarnConfiguration.RM_ADDRESS).endsWith(":0")) { // the RM's port comes late
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "the resource manager did not start");
            Thread.sleep(100);
        }
        return yarn;
    }

    /**
     * What {@code spark-defaults.conf} holds on a YARN gateway: the cluster's Hadoop configuration (as
     * {@code spark.hadoop.*}), Spark's jars on the containers' classpath, and the settings of conf/yarn.conf's header.
     */
    private static Path properties(Path dir, Configuration yarnConf, String defaultFs) throws Exception {
        Properties p = new Properties();
        for (Map.Entry<String, String> e : yarnConf) {
            p.setProperty("spark.hadoop." + e.getKey(), e.getValue());
        }
        p.setProperty("spark.hadoop.fs.defaultFS", defaultFs);
        Path emptyJar = Files.createFile(dir.resolve("spark-jars-on-the-classpath.jar"));
        p.setProperty("spark.yarn.jars", "local:" + emptyJar);
        String spark = ApplicationJarTest.sparkClasspath();
        p.setProperty("spark.driver.extraClassPath", spark);
        p.setProperty("spark.executor.extraClassPath", spark);
        String javaHome = System.getProperty("java.home");
        Path libtorch = ApplicationJarTest.unpackLibtorch(dir.resolve("libtorch"));
        for (String who : List.of("spark.yarn.appMasterEnv.", "spark.executorEnv.")) {
            p.setProperty(who + "JAVA_HOME", javaHome);
            p.setProperty(who + "PYTORCH_LIBRARY_PATH", libtorch.toString());
            p.setProperty(who + "PYTORCH_FLAVOR", "cpu");
            p.setProperty(who + "DJL_CACHE_DIR", "./djl-cache");
            p.setProperty(who + "GLIBC_TUNABLES", System.getenv().getOrDefault("GLIBC_TUNABLES", ""));
        }
        p.setProperty("spark.driver.memory", "1g");
        p.setProperty("spark.executor.memory", "1g");
        p.setProperty("spark.executor.memoryOverhead", "1g");
        p.setProperty("spark.executor.instances", "1");
        p.setProperty("spark.executor.cores", "2");
        p.setProperty("spark.driver.extraJavaOptions", "-Dai.djl.offline=true " + TestJvms.flagLine());
        p.setProperty("spark.executor.extraJavaOptions", "-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 "
                + TestJvms.flagLine());
        p.setProperty("spark.ui.enabled", "false");
        p.setProperty("spark.yarn.maxAppAttempts", "1");
        Path file = dir.resolve("spark-defaults.properties");
        try (OutputStreamWriter w = new OutputStreamWriter(new FileOutputStream(file.toFile()), StandardCharsets.UTF_8)) {
            p.store(w, "sparknas YarnClusterTest");
        }
        return file;
    }

    /** {@code spark-submit --master yarn --deploy-mode cluster ... app.jar args}; returns its output. */
    private static String submit(Path dir, Path jar, Path props, Path confDir, List<String> sparkArgs,
                                 List<String> appArgs, int expectedExit) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(System.getProperty("sparknas.jvm.opens", "").split(" ")));
        cmd.addAll(TestJvms.flags());
        cmd.addAll(List.of("-Xmx1g", "-cp", ApplicationJarTest.sparkClasspath(), "org.apache.spark.deploy.SparkSubmit",
                "--master", "yarn", "--deploy-mode", "cluster", "--properties-file", props.toString(),
                "--class", "io.sparknas.jobs.Main"));
        cmd.addAll(sparkArgs);
        cmd.add(jar.toString());
        cmd.addAll(appArgs);
        cmd.removeIf(String::isEmpty);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(Files.createTempFile(dir, "submit", ".log").toFile());
        pb.environment().put("YARN_CONF_DIR", confDir.toString());
        long start = System.nanoTime();
        Process p = pb.start();
        File log = pb.redirectOutput().file();
        if (!p.waitFor(Duration.ofMinutes(4).toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("spark-submit timed out:\n" + Files.readString(log.toPath()));
        }
        String out = Files.readString(log.toPath());
        System.out.printf("spark-submit %s: exit %d after %.0f s; %s%n", appArgs.subList(0, 3), p.exitValue(),
                (System.nanoTime() - start) / 1e9, out.lines().filter(l -> l.contains("final status:"))
                        .reduce((a, b) -> b).orElse("no final status line").strip());
        assertEquals(expectedExit, p.exitValue(), "spark-submit " + appArgs + ":\n" + out);
        return out;
    }

    private static void run(List<String> cmd, Path dir) throws Exception {
        NotebooksAndReportTest.runProcess(cmd, Map.of(), Duration.ofMinutes(2), dir);
    }

    /** Every application YARN ran, in submission order. */
    private static List<ApplicationReport> applications(Configuration conf) throws Exception {
        try (YarnClient client = YarnClient.createYarnClient()) {
            client.init(conf);
            client.start();
            List<ApplicationReport> apps = new ArrayList<>(client.getApplications());
            apps.sort(Comparator.comparingLong(ApplicationReport::getStartTime));
            return apps;
        }
    }
}
