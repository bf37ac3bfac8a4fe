package io.sparknas.jobs;

import io.sparknas.space.TestData;
import io.sparknas.pipeline.core.SparkSessions;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ofa job end to end on local Spark and MNIST with a tiny supernet: its tables, resume, export, refusals. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OfaJobTest {
    static final Path MNIST = Path.of(System.getProperty("sparknas.data", "../data"), "mnist").toAbsolutePath();

    /** Stem 4, stages of 8, 12, 16 (0.41 to 3.7 MFLOPs), one epoch per phase on 200 images, 4 subnets per stage. */
    static List<String> tiny(Path out) {
        return new ArrayList<>(List.of("ofa", "--conf", "../conf/ofa-quickstart.conf", "--set", "sweep.output=" + out,
                "--set", "ofa.space.stemChannels=4", "--set", "ofa.space.widths=[8,12,16]",
                "--set", "ofa.training.fullEpochs=1", "--set", "ofa.training.batchSize=50",
                "--set", "ofa.training.calibrationImages=100", "--set", "ofa.training.torchThreads=1",
                "--set", "ofa.search.budgets=[1.5]", "--set", "ofa.search.evaluations=4",
                "--set", "ofa.search.roundSize=4", "--set", "ofa.search.randomSubnets=4",
                "--set", "ofa.search.calibrationImages=100", "--set", "ofa.search.latencyRepeats=1",
                "--set", "estimator.data.dir=" + MNIST, "--set", "estimator.data.trainPerClass=20",
                "--set", "estimator.data.validationPerClass=10", "--set", "estimator.data.testPerClass=10",
                "--set", "estimator.proxy.latencyRepeats=1", "--set", "estimator.proxy.epochs=3",
                "--set", "estimator.proxy.batchSize=20", "--set", "ofa.search.scratchMatched=true",
                "--set", "spark.master=local[2]"));
    }

    @TempDir
    static Path dir;
    static Path out;
    static String first;

    /** One tiny ofa sweep the tests read (the resume test, last, changes it). */
    @BeforeAll
    static void sweep() {
        if (!Files.isRegularFile(MNIST.resolve("train-images-idx3-ubyte"))) {
            return;
        }
        out = dir.resolve("ofa");
        first = DoctorJobTest.run(tiny(out).toArray(String[]::new));
    }

    static void assumeMnist() {
        TestData.require(out != null, "MNIST not in " + MNIST + " (fetch it with ./sparknas data mnist)");
    }

    @Test
    @Order(1)
    void aTinySupernetIsTrainedSearchedPerBudgetAndExported() throws IOException {
        assumeMnist();
        assertTrue(first.startsWith("0\n"), first);
        assertTrue(first.contains("training the supernet: 6 phases [full, kernel, depth-1, depth-2, expand-1, "
                + "expand-2]"), first);
        try (Stream<Path> files = Files.list(out.resolve("supernet"))) {
            assertEquals(6, files.filter(p -> p.toString().endsWith(".ckpt")).count());
        }

        SparkSession spark = SparkSessions.create("ofa-check", "local[1]", Map.of("spark.ui.enabled", "false"));
        List<Row> rows;
        List<Row> epochs;
        try {
            rows = spark.read().parquet(out + "/candidates").orderBy("round", "candidate_id").collectAsList();
            epochs = spark.read().parquet(out + "/ofa_epochs").orderBy("phase", "epoch").collectAsList();
        } finally {
            spark.stop();
        }
        assertEquals(List.of("full", "kernel", "kernel", "depth-1", "depth-2", "depth-2", "expand-1", "expand-2",
                "expand-2"), epochs.stream().map(r -> r.<String>getAs("phase_name")).toList(),
                "one full epoch (--set), then the quickstart's schedule: 2, 1, 2, 1, 2 epochs");
        assertEquals(2 + 4 + 4 + 2, rows.size(), "the largest and smallest, 4 random subnets, 4 under the budget, "
                + "1 trained from scratch for the proxy's epochs and 1 for the supernet's");
        Map<String, Row> byId = new java.util.HashMap<>();
        rows.forEach(r -> byId.put(r.getAs("candidate_id"), r));
        Map<String, Double> proxy = byId.get("scratch-b0").getJavaMap(byId.get("scratch-b0").fieldIndex("metrics"));
        Map<String, Double> matched = byId.get("scratch-matched-b0")
                .getJavaMap(byId.get("scratch-matched-b0").fieldIndex("metrics"));
        assertTrue(proxy.containsKey("epoch_03_val_accuracy") && !proxy.containsKey("epoch_04_val_accuracy"),
                "estimator.proxy.epochs = 3: " + proxy.keySet());
        assertTrue(matched.containsKey("epoch_09_val_accuracy") && !matched.containsKey("epoch_10_val_accuracy"),
                "the supernet's 1 + 2 + 1 + 2 + 1 + 2 epochs: " + matched.keySet());
        assertEquals(byId.get("scratch-b0").<String>getAs("genotype"),
                byId.get("scratch-matched-b0").getAs("genotype"));
        assertEquals(List.of("largest", "smallest"), rows.subList(0, 2).stream()
                .map(r -> r.<String>getAs("candidate_id")).toList());
        for (Row r : rows) {
            String id = r.getAs("candidate_id");
            assertEquals("OK", r.getAs("status"), id + ": " + r.getAs("error"));
            if (id.startsWith("b0-")) {
                assertTrue(r.<Long>getAs("flops") <= 1_500_000, id + " is under the budget: " + r.getAs("flops"));
            }
            String space = r.getAs("space");
            assertEquals(id.startsWith("scratch") ? "ofa-net" : "ofa", space, id);
            assertEquals(id.startsWith("scratch") ? "proxy" : "supernet", r.<String>getAs("estimator"), id);
        }
        Path export = out.resolve("export").resolve("budget-1.5MFLOPs");
        assertTrue(Files.isRegularFile(export.resolve("subnet-0000.params")), "exported: " + export);
        String json = Files.readString(export.resolve("genotype.json"));
        assertTrue(json.contains("\"exportedAccuracy\""), json);

        String report = DoctorJobTest.run("report", "--sweep", out.toString());
        assertTrue(report.contains("phase 5 expand-2  epoch 1"), report);
        assertTrue(report.contains("pareto front, accuracy against flops: "), report);
        assertTrue(report.lines().anyMatch(l -> l.matches("\\s+1\\.5\\s+b0-c\\d+\\s.*")), report);
    }

    @Test
    @Order(2)
    void theOfaNotebookDrawsTheSubnetsAndTheTraining() throws Exception {
        assumeMnist();
        String python = NotebooksAndReportTest.python();
        String text = NotebooksAndReportTest.execute(python, "ofa", Map.of("SPARKNAS_SWEEP", out.toString()), dir);
        assertTrue(text.contains("chosen subnets per budget:") && text.contains("b0-"), text);
        for (String fig : List.of("ofa_subnets", "ofa_training")) {
            assertTrue(Files.size(out.resolve("report").resolve(fig + ".png")) > 10_000, fig);
        }
    }

    @Test
    @Order(3)
    void aTrainingKilledAfterItsFourthPhaseResumesAtTheFifth() throws IOException {
        assumeMnist();
        try (Stream<Path> files = Files.list(out.resolve("supernet"))) {
            for (Path p : files.filter(p -> p.getFileName().toString().matches("phase-[45]-.*")).toList()) {
                Files.delete(p);
            }
        }
        String again = DoctorJobTest.run(tiny(out).toArray(String[]::new));
        assertTrue(again.startsWith("0\n"), again);
        assertTrue(again.contains("resuming the supernet's training at phase 5/6 (expand-1)"), again);
        assertTrue(again.contains("random subnets: 4 candidates (0 failed), 1 rounds resumed"), again);
        try (Stream<Path> files = Files.list(out.resolve("supernet"))) {
            assertEquals(6, files.filter(p -> p.toString().endsWith(".ckpt")).count());
        }
    }

    @Test
    @Order(4)
    void badOfaInputIsRefusedBeforeAnythingIsWritten(@TempDir Path scratch) {
        Path out = scratch.resolve("never");
        List<String[]> bad = List.of(
                new String[] {"ofa.search.budgets=[0.2]", "0.2 MFLOPs is below the smallest subnet's 0.411 MFLOPs "
                        + "(k3e3 k3e3 | k3e3 k3e3 | k3e3 k3e3)"},
                new String[] {"ofa.search.budgets=[0.45]", "ofa.search.budgets: no random subnet of 10000 drawn is "
                        + "within 0.45 MFLOPs (subnets that small are too rare to search from random draws)"},
                new String[] {"ofa.space.kernels=[3,4]", "ofa.space.kernels must be odd and positive, got [3, 4]"},
                new String[] {"ofa.space.strides=[2,2]", "ofa.space.strides must give 1 or 2 for each of the 3 stages"},
                new String[] {"estimator.data.dir=" + scratch.resolve("no-mnist"), "the mnist directory "
                        + scratch.resolve("no-mnist") + " does not exist"},
                new String[] {"ofa.training.phaseEpochs=0", "phaseEpochs must be positive"},
                new String[] {"ofa.training.schedule=[{phase=kernel, epochs=1, learningRate=0.02, subnetsPerStep=1}]",
                        "ofa.training.schedule lists phases [kernel] but this space's phases after 'full' are [kernel, "
                        + "depth-1, depth-2, expand-1, expand-2]: give one entry for each, in this order"},
                new String[] {"ofa.training.schedule=[{phase=kernel, epochs=2, learningRate=0.02, warmupEpochs=1, "
                        + "warmupLearningRate=-0.1, subnetsPerStep=1}]", "ofa.training.schedule[kernel]: "
                        + "warmupLearningRate must be in (0, learningRate] when warmupEpochs > 0, got -0.1"},
                new String[] {"ofa.training.sandwich=true", "ofa.training.sandwich needs 2 or more subnets per step "
                        + "in every phase (the largest and the smallest), but phase 'kernel' has 1"});
        for (String[] b : bad) {
            List<String> args = tiny(out);
            args.addAll(List.of("--set", b[0]));
            String printed = DoctorJobTest.runAll(args.toArray(String[]::new));
            assertTrue(printed.startsWith("2\n"), b[0] + ": " + printed);
            assertTrue(printed.contains(b[1]), b[0] + ": " + printed);
            assertFalse(Files.exists(out), "nothing written for " + b[0]);
        }
    }
}
