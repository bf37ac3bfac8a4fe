package io.sparknas.jobs;

import io.sparknas.estimators.EngineProbe;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.data.ImageSet;
import io.sparknas.pipeline.core.SparkSessions;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code sparknas doctor}: checks that this machine can run a search — Java, Spark, the DJL engine and its
 * devices, the datasets — and proves it by running one DJL forward pass inside a Spark task. Exits non-zero,
 * with the reasons, when something is missing.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = "Check Java, Spark, DJL, devices and datasets; run one DJL forward pass in a Spark task.")
public final class DoctorJob implements Callable<Integer> {

    @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[2])")
    String master;

    @Option(names = "--data-dir", description = "also check a dataset directory (MNIST IDX or CIFAR-10 binary)")
    Path dataDir;

    @Override
    public Integer call() {
        List<String> problems = new ArrayList<>();
        System.out.println("sparknas doctor");
        String java = System.getProperty("java.version");
        System.out.printf("  java        %s (%s)%n", java, System.getProperty("java.vendor"));
        if (Runtime.version().feature() < 17) {
            problems.add("Java 17 or newer is required, found " + java);
        }
        System.out.printf("  spark       %s (scala %s)%n", org.apache.spark.package$.MODULE$.SPARK_VERSION(),
                scala.util.Properties.versionNumberString());
        System.out.printf("  djl offline %s%n", System.getProperty("ai.djl.offline"));
        try {
            EngineProbe.Result r = EngineProbe.run();
            System.out.printf("  djl engine  %s %s, GPUs seen: %d, device: %s, forward pass -> %s in %d ms%n",
                    r.engine(), r.version(), r.gpus(), r.device(), r.outputShape(), r.millis());
            System.out.printf("  libtorch    %s (PYTORCH_LIBRARY_PATH=%s, PYTORCH_FLAVOR=%s)%n", r.libtorch(),
                    System.getenv().getOrDefault("PYTORCH_LIBRARY_PATH", ""),
                    System.getenv().getOrDefault("PYTORCH_FLAVOR", ""));
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            problems.add("the DJL engine did not start: " + e);
        }
        checkDataset("fashion-mnist", Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR), problems,
                "install it with: sudo apt-get install dataset-fashion-mnist");
        Path mnist = Path.of(DataConfig.MNIST_DEFAULT_DIR);
        if (Files.isDirectory(mnist)) {
            checkDataset("mnist", mnist, problems, "fetch it again with: ./sparknas data mnist");
        } else {
            System.out.printf("  dataset     mnist: not fetched to %s (./sparknas data mnist; the ofa quickstart needs it)%n",
                    mnist);
        }
        if (dataDir != null) {
            boolean cifar = Files.exists(dataDir.resolve("data_batch_1.bin"));
            checkDataset(cifar ? "cifar10" : "mnist", dataDir, problems, "check --data-dir");
        }
        SparkSession spark = null;
        try {
            spark = SparkSessions.create("sparknas-doctor", master == null && System.getProperty("spark.master") == null
                    ? "local[2]" : master, Map.of("spark.ui.enabled", "false"));
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            System.out.printf("  spark       master %s, default parallelism %d%n", jsc.master(), jsc.defaultParallelism());
            List<EngineProbe.Result> results = jsc.parallelize(List.of(1, 2), 2)
                    .map(i -> EngineProbe.run(io.sparknas.pipeline.core.ExecutorInfo.assignedGpu(
                            org.apache.spark.TaskContext.get()))).collect();
            for (EngineProbe.Result r : results) {
                System.out.printf("  spark task  DJL %s on %s -> %s in %d ms, libtorch %s%n", r.engine(), r.device(),
                        r.outputShape(), r.millis(), r.libtorch());
            }
        } catch (RuntimeException e) {
            problems.add("a Spark session with a DJL task failed: " + e);
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
        if (problems.isEmpty()) {
            System.out.println("OK: this machine can run sparknas searches.");
            return 0;
        }
        problems.forEach(p -> System.out.println("PROBLEM: " + p));
        return 2;
    }

    private static void checkDataset(String name, Path dir, List<String> problems, String fix) {
        if (!Files.isDirectory(dir)) {
            System.out.printf("  dataset     %s: not found at %s%n", name, dir);
            problems.add(name + " not found at " + dir + " (" + fix + ")");
            return;
        }
        try {
            ImageSet test = Datasets.read(name, dir, false);
            System.out.printf("  dataset     %s at %s (test set %s)%n", name, dir, test);
        } catch (RuntimeException e) {
            System.out.printf("  dataset     %s at %s: %s%n", name, dir, e.getMessage());
            problems.add(e.getMessage());
        }
    }
}
