package io.sparknas.jobs;

import io.sparknas.space.TestData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparknas.estimators.EvaluationContext;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.proxy.ProxyTrainingEstimator;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.pipeline.core.SparkSessions;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The search command end to end on local Spark with the tabular estimator: run, resume, refuse, export. */
class SearchJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void searchRunsResumesAndExportsTheWinner(@TempDir Path dir) throws Exception {
        Path table = Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz");
        String out = dir.resolve("sweep").toString();
        String[] args = {"search", "--conf", "../conf/tabular-nb201.conf", "--set", "sweep.output=" + out,
            "--set", "estimator.table.path=" + table, "--set", "search.budget=30", "--set", "spark.master=local[2]"};
        assertEquals(0, Main.run(args));
        assertTrue(Files.isDirectory(Path.of(out, "candidates", "round=2")));
        Row top = topRow(out);
        JsonNode exported = JSON.readTree(Path.of(out, "export", "genotype.json").toFile());
        assertEquals(top.<String>getAs("candidate_id"), exported.path("candidate").asText());
        assertEquals(top.<String>getAs("genotype"), exported.path("genotype").asText());
        assertEquals(top.<Double>getAs("accuracy"), exported.path("accuracy").asDouble());
        assertEquals("nb201", exported.path("space").asText());
        assertTrue(Files.readString(Path.of(out, "export", "cell.dot")).contains("->"));
        assertTrue(exported.path("modelDir").isMissingNode(), "a table look-up has no model to export");

        assertEquals(0, Main.run(args), "running again on a complete sweep resumes and finishes at once");
        String[] lower = args.clone();
        lower[lower.length - 3] = "search.budget=20";
        assertEquals(2, Main.run(lower), "a lowered budget is refused");
        String[] other = java.util.Arrays.copyOf(args, args.length + 2);
        other[args.length] = "--set";
        other[args.length + 1] = "strategy.seed=9";
        assertEquals(2, Main.run(other), "another configuration on the same path is refused");
        String[] fresh = new String[other.length + 1];
        System.arraycopy(other, 0, fresh, 0, other.length);
        fresh[other.length] = "--new-sweep";
        assertEquals(0, Main.run(fresh));
        try (var siblings = Files.list(dir)) {
            assertTrue(siblings.anyMatch(p -> p.getFileName().toString().startsWith("sweep.replaced-")),
                    "the old sweep was moved aside, not deleted");
        }
    }

    /** The nightly command: a new sweep runs its budget; each later run adds --extend N once the last one is spent. */
    @Test
    void extendRaisesASpentBudgetByNEachRun(@TempDir Path dir) {
        Path table = Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz");
        String out = dir.resolve("nightly").toString();
        String[] args = {"search", "--conf", "../conf/tabular-nb201.conf", "--set", "sweep.output=" + out,
            "--set", "estimator.table.path=" + table, "--set", "search.budget=20", "--set", "spark.master=local[2]",
            "--extend", "10"};
        for (int night = 0; night < 3; night++) {
            assertEquals(0, Main.run(args));
            SparkSession spark = SparkSessions.create("extend-check", "local[1]", Map.of("spark.ui.enabled", "false"));
            try {
                assertEquals(20 + 10 * night, spark.read().parquet(out + "/candidates").count(), "night " + night);
            } finally {
                spark.stop();
            }
        }
    }

    /** --new-sweep moves a sweep aside, never a folder that is not one (a mistyped sweep.output). */
    @Test
    void newSweepRefusesAFolderThatIsNotASweepAndMovesNothing(@TempDir Path dir) throws Exception {
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve("thesis.tex"), "years of work");
        Path table = Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz");
        assertEquals(2, Main.run(new String[] {"search", "--conf", "../conf/tabular-nb201.conf", "--set",
            "sweep.output=" + home, "--set", "estimator.table.path=" + table, "--new-sweep"}));
        assertEquals("years of work", Files.readString(home.resolve("thesis.tex")));
        try (var siblings = Files.list(dir)) {
            assertEquals(List.of("home"), siblings.map(p -> p.getFileName().toString()).toList());
        }
    }

    /** With an id, an extension adds once: a retried night (finished or not) adds nothing, the next id adds N. */
    @Test
    void extendWithAnIdAddsOncePerIdHoweverOftenItIsRetried(@TempDir Path dir) throws Exception {
        Path table = Path.of(System.getProperty("sparknas.data", "../data"), "nb201", "nb201_12ep.csv.gz");
        String out = dir.resolve("nightly").toString();
        java.util.function.Function<String, String[]> night = id -> new String[] {"search", "--conf",
            "../conf/tabular-nb201.conf", "--set", "sweep.output=" + out, "--set", "estimator.table.path=" + table,
            "--set", "search.budget=20", "--set", "spark.master=local[2]", "--extend", "10", "--id", id};
        int[] expected = {20, 20, 30, 30, 40};
        String[] ids = {"2026-12-01", "2026-12-01", "2026-12-02", "2026-12-02", "2026-12-03"};
        for (int run = 0; run < ids.length; run++) {
            assertEquals(0, Main.run(night.apply(ids[run])));
            SparkSession spark = SparkSessions.create("extend-id-check", "local[1]", Map.of("spark.ui.enabled",
                    "false"));
            try {
                assertEquals(expected[run], spark.read().parquet(out + "/candidates").count(), "run " + run);
            } finally {
                spark.stop();
            }
        }
        JsonNode history = JSON.readTree(Path.of(out, "sweep.json").toFile()).path("budgetHistory");
        assertEquals(List.of("2026-12-01", "2026-12-02", "2026-12-03"), java.util.stream.StreamSupport.stream(
                history.spliterator(), false).map(h -> h.path("extension").asText()).toList());
        assertEquals(2, Main.run(new String[] {"search", "--conf", "../conf/tabular-nb201.conf", "--set",
            "sweep.output=" + out, "--id", "x"}), "--id without --extend is refused");
    }

    /** The best committed row: highest accuracy, then the earliest candidate (the strategy's tie rule). */
    static Row topRow(String sweep) {
        SparkSession spark = SparkSessions.create("export-check", "local[1]", Map.of("spark.ui.enabled", "false"));
        try {
            return spark.read().parquet(sweep + "/candidates").filter("status = 'OK'")
                    .orderBy(functions.col("accuracy").desc(), functions.col("candidate_id")).first();
        } finally {
            spark.stop();
        }
    }

    /**
     * A proxy-trained sweep exports its winner retrained with the winner's own seed (so to the same accuracy as in the
     * sweep), and the exported {@code model/} loads back into the winner's network and scores that accuracy again.
     */
    @Test
    void theExportedModelLoadsBackAndScoresWhatTheSweepMeasured(@TempDir Path dir) throws Exception {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        String out = dir.resolve("proxy").toString();
        List<String> settings = List.of("sweep.output=" + out, "search.budget=4", "search.roundSize=2",
                "estimator.proxy.epochs=1", "estimator.proxy.latencyRepeats=0", "estimator.data.trainPerClass=20",
                "estimator.data.validationPerClass=10", "spark.master=local[2]");
        List<String> args = new ArrayList<>(List.of("search", "--conf", "../conf/quickstart.conf"));
        settings.forEach(s -> args.addAll(List.of("--set", s)));
        assertEquals(0, Main.run(args.toArray(String[]::new)));

        Row top = topRow(out);
        JsonNode exported = JSON.readTree(Path.of(out, "export", "genotype.json").toFile());
        assertEquals(top.<String>getAs("candidate_id"), exported.path("candidate").asText());
        assertEquals(top.<String>getAs("genotype"), exported.path("text").asText());
        assertEquals(top.<Double>getAs("accuracy"), exported.path("accuracy").asDouble());
        assertEquals(top.<Double>getAs("accuracy"), exported.path("retrainedAccuracy").asDouble(),
                "the retraining repeats the sweep's evaluation");
        Path model = Path.of(exported.path("modelDir").asText());
        assertTrue(Files.isRegularFile(model.resolve("model-0000.params")), model.toString());

        ProxySpec spec = (ProxySpec) JobConfig.load(Path.of("../conf/quickstart.conf"),
                settings).sweep().estimator();
        Candidate winner = new Candidate(top.getAs("candidate_id"), top.getAs("space"), top.getAs("genotype"),
                top.getAs("canonical_key"), top.getAs("origin"), List.of(), top.<Long>getAs("seed"));
        try (ProxyTrainingEstimator est = new ProxyTrainingEstimator(spec.proxy(), Datasets.load(spec.data()))) {
            Evaluation reloaded = est.evaluateSaved(winner, model, EvaluationContext.defaults());
            assertTrue(reloaded.isOk(), reloaded.error());
            assertEquals(exported.path("retrainedAccuracy").asDouble(), reloaded.accuracy(),
                    "the exported parameters are the trained ones");
            Evaluation wrong = est.evaluateSaved(winner, dir.resolve("absent"), EvaluationContext.defaults());
            assertTrue(!wrong.isOk() && wrong.error().contains("absent"), wrong.error());
        }
    }

    /**
     * The oneshot template from the command line: the sweep trains its supernet once, scores every cell from it,
     * and exports the winner as its network trained from scratch (the supernet's weights are not a network).
     */
    @Test
    void aOneShotSearchTrainsItsSupernetScoresFromItAndExportsTheWinnerTrainedFromScratch(@TempDir Path dir)
            throws Exception {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        String out = dir.resolve("oneshot").toString();
        List<String> args = new ArrayList<>(List.of("search", "--conf", "../conf/oneshot-nb201.conf"));
        for (String s : List.of("sweep.output=" + out, "search.budget=4", "search.roundSize=2",
                "estimator.proxy.channels=8", "estimator.proxy.epochs=2", "estimator.proxy.learningRate=0.1",
                "estimator.oneshot.epochs=1", "estimator.oneshot.calibrationImages=50",
                "estimator.data.trainPerClass=40",
                "estimator.data.validationPerClass=5", "estimator.data.resize=12", "spark.master=local[2]")) {
            args.addAll(List.of("--set", s));
        }
        assertEquals(0, Main.run(args.toArray(String[]::new)));
        try (var files = Files.list(Path.of(out, "supernet"))) {
            assertEquals(1, files.filter(f -> f.toString().endsWith(".ckpt")).count());
        }
        Row top = topRow(out);
        assertEquals("oneshot", top.<String>getAs("estimator"));
        JsonNode exported = JSON.readTree(Path.of(out, "export", "genotype.json").toFile());
        assertEquals(top.<String>getAs("genotype"), exported.path("text").asText());
        assertTrue(exported.has("retrainedAccuracy"), exported.toString());
        assertTrue(Files.isRegularFile(Path.of(exported.path("modelDir").asText(), "model-0000.params")));
    }
}
