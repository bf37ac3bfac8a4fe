package io.sparknas.jobs;

import io.sparknas.space.TestData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparknas.estimators.data.DataConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Everything a sweep produces lands on HDFS when its output is an {@code hdfs://} URI: the Parquet results, the
 * lease, the export (genotype, drawings, fronts) and the retrained winner's DJL parameters, saved by the Spark task
 * that retrained it. A real HDFS: Hadoop's {@code MiniDFSCluster} (a name node and a data node in this JVM).
 */
class ClusterStorageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static MiniDFSCluster hdfs;
    private static java.nio.file.Path base;

    @BeforeAll
    static void startHdfs() throws Exception {
        base = Files.createTempDirectory("sparknas-minidfs-");
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, base.toString());
        hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        hdfs.waitActive();
    }

    @AfterAll
    static void stopHdfs() throws Exception {
        if (hdfs != null) {
            hdfs.shutdown();
        }
        WinnerExport.deleteLocal(base);
    }

    private static String uri(String path) {
        return hdfs.getURI().toString() + path;
    }

    /** Runs the command, returning its exit code and what it printed. */
    private static Map.Entry<Integer, String> run(List<String> args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            return Map.entry(Main.run(args.toArray(String[]::new)), out.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
            System.out.print(out.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aTabularSweepOnHdfsCommitsReportsAndExportsThere() throws Exception {
        java.nio.file.Path table = java.nio.file.Path.of(System.getProperty("sparknas.data", "../data"), "nb201",
                "nb201_12ep.csv.gz");
        String out = uri("/sweeps/tabular");
        var result = run(List.of("search", "--conf", "../conf/tabular-nb201.conf", "--set", "sweep.output=" + out,
                "--set", "estimator.table.path=" + table, "--set", "search.budget=20", "--set", "spark.master=local[2]"));
        assertEquals(0, result.getKey(), result.getValue());
        assertTrue(result.getValue().contains("exported the winner to " + out + "/export"), result.getValue());

        FileSystem fs = hdfs.getFileSystem();
        assertTrue(fs.exists(new Path("/sweeps/tabular/candidates/round=1")));
        assertTrue(fs.exists(new Path("/sweeps/tabular/sweep.json")));
        assertTrue(fs.exists(new Path("/sweeps/tabular/export/cell.dot")));
        JsonNode exported = JSON.readTree(fs.open(new Path("/sweeps/tabular/export/genotype.json")));
        SparkSession spark = SparkSession.builder().master("local[1]").appName("hdfs-check")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            List<Row> rows = spark.read().parquet(out + "/candidates").collectAsList();
            assertEquals(20, rows.size());
            double best = rows.stream().filter(r -> r.getAs("status").equals("OK"))
                    .mapToDouble(r -> r.<Double>getAs("accuracy")).max().orElseThrow();
            assertEquals(best, exported.path("accuracy").asDouble());
        } finally {
            spark.stop();
        }
        assertFalse(Files.exists(java.nio.file.Path.of("hdfs:")), "no local folder named after the URI");

        var report = run(List.of("report", "--sweep", out));
        assertEquals(0, report.getKey(), report.getValue());
        assertTrue(report.getValue().contains("20"), report.getValue());
    }

    /** The winner is retrained by a Spark task, which writes its parameters to HDFS; an async sweep commits there. */
    @Test
    void aTrainedSweepOnHdfsSavesTheRetrainedWinnersModelThere() throws Exception {
        TestData.require(Files.isDirectory(java.nio.file.Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        String out = uri("/sweeps/proxy");
        List<String> args = new ArrayList<>(List.of("search", "--conf", "../conf/quickstart.conf"));
        for (String s : List.of("sweep.output=" + out, "search.mode=async", "search.budget=4", "search.roundSize=2",
                "estimator.proxy.epochs=1", "estimator.proxy.latencyRepeats=0", "estimator.data.trainPerClass=20",
                "estimator.data.validationPerClass=10", "spark.master=local[2]")) {
            args.addAll(List.of("--set", s));
        }
        var result = run(args);
        assertEquals(0, result.getKey(), result.getValue());
        FileSystem fs = hdfs.getFileSystem();
        JsonNode exported = JSON.readTree(fs.open(new Path("/sweeps/proxy/export/genotype.json")));
        assertEquals(out + "/export/model", exported.path("modelDir").asText());
        assertTrue(fs.getFileStatus(new Path("/sweeps/proxy/export/model/model-0000.params")).getLen() > 1000);
        assertEquals(exported.path("accuracy").asDouble(), exported.path("retrainedAccuracy").asDouble(),
                "retrained with its own seed on an executor: the sweep's accuracy again");
        assertTrue(exported.path("retrainedOn").asText().startsWith("cpu"), exported.toString());
        assertTrue(fs.exists(new Path("/sweeps/proxy/candidates/round=0")), "the async commits, compacted");
    }
}
