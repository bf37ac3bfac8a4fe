package io.sparknas.jobs;

import io.sparknas.space.TestData;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.pipeline.core.SparkSessions;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scale job end to end on local Spark with a tiny grid: its rows, its resume, its report, its refusals. */
class ScaleJobTest {
    /**
     * 2 grid points within 0.25 of twice the base's FLOPs after rounding ((1, 1, 1.4), (1.4, 1, 1)), phi = 1..2,
     * tiny proxies on 8x8 images.
     */
    static List<String> tiny(Path out) {
        return new ArrayList<>(List.of("scale", "--conf", "../conf/scale-quickstart.conf", "--set", "sweep.output=" + out,
                "--set", "scale.gridStep=0.4", "--set", "scale.gridMax=1.8", "--set", "scale.tolerance=0.25",
                "--set", "scale.maxPhi=2", "--set", "estimator.proxy.epochs=2", "--set", "estimator.proxy.channels=4",
                "--set", "estimator.proxy.latencyRepeats=1", "--set", "estimator.data.trainPerClass=30",
                "--set", "estimator.data.validationPerClass=10", "--set", "estimator.data.resize=8",
                "--set", "export.retrain=false", "--set", "spark.master=local[2]"));
    }

    @Test
    void aTinyGridIsScaledCommittedReportedAndResumed(@TempDir Path dir) {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        String out = dir.resolve("scale").toString();
        String first = DoctorJobTest.run(tiny(Path.of(out)).toArray(String[]::new));
        assertTrue(first.startsWith("0\n"), first);
        assertTrue(first.contains("chosen: alpha "), first);

        SparkSession spark = SparkSessions.create("scale-check", "local[1]", Map.of("spark.ui.enabled", "false"));
        List<Row> grid;
        List<Row> scaled;
        try {
            grid = spark.read().parquet(out + "/candidates").filter("round = 0").orderBy("candidate_id").collectAsList();
            scaled = spark.read().parquet(out + "/candidates").filter("round = 1").orderBy("candidate_id").collectAsList();
        } finally {
            spark.stop();
        }
        assertEquals(List.of("1.0 1.0 1.4", "1.4 1.0 1.0"), grid.stream().map(r -> {
            Map<String, Double> m = r.getJavaMap(r.fieldIndex("metrics"));
            return m.get("alpha") + " " + m.get("beta") + " " + m.get("gamma");
        }).toList(), "(1, 1.4, 1): 8 x 1.4 rounds to 12 channels, 2.7x the base's FLOPs, out of tolerance");
        for (Row r : grid) {
            double ratio = r.<String, Double>getJavaMap(r.fieldIndex("metrics")).get("flops_ratio");
            assertTrue(Math.abs(ratio - 2) <= 0.25, r.getAs("candidate_id") + " costs " + ratio + "x the base");
        }
        assertTrue(grid.stream().allMatch(r -> r.getAs("origin").equals("grid") && r.getAs("space").equals("darts-scaled")));
        assertEquals(1 + 8, scaled.size(), "the base, then phi 1..2 x compound, depth, width, resolution");
        Set<Long> gridSeeds = new TreeSet<>(grid.stream().map(r -> r.<Long>getAs("seed")).toList());
        assertTrue(scaled.stream().noneMatch(r -> gridSeeds.contains(r.<Long>getAs("seed"))),
                "stage 2 trains on seeds of its own, never replaying the grid's");
        Set<String> points = new TreeSet<>();
        for (Row r : scaled) {
            Map<String, Double> m = r.getJavaMap(r.fieldIndex("metrics"));
            points.add(m.get("phi").intValue() + " " + r.getAs("origin"));
            assertEquals(r.<Long>getAs("flops") / (double) baseFlops(grid, r), m.get("flops_ratio"), 1e-9);
        }
        assertEquals(Set.of("0 base", "1 compound", "1 depth", "1 resolution", "1 width", "2 compound", "2 depth",
                "2 resolution", "2 width"), points);
        // the baselines are matched to the compound network's FLOPs: within a factor of two at either phi
        for (Row r : scaled) {
            if (phi(r) == 0) {
                continue;
            }
            Row compound = scaled.stream().filter(c -> c.getAs("origin").equals("compound")
                    && phi(c) == phi(r)).findFirst().orElseThrow();
            double ratio = r.<Long>getAs("flops") / (double) compound.<Long>getAs("flops");
            assertTrue(ratio > 0.5 && ratio < 2, r.getAs("candidate_id") + " " + ratio);
        }

        String again = DoctorJobTest.run(tiny(Path.of(out)).toArray(String[]::new));
        assertTrue(again.startsWith("0\n"), again);
        assertTrue(again.contains("resuming: the grid at phi = 1 is committed (2 candidates)"), again);
        assertTrue(again.contains("resuming: the scaling is committed (9 candidates)"), again);

        String report = DoctorJobTest.run("report", "--sweep", out);
        assertTrue(report.contains("chosen: alpha "), report);
        assertEquals(9, report.lines()
                .filter(l -> l.matches("\\s+[012]\\s+(base|compound|depth|width|resolution)\\s.*")).count(), report);
    }

    /**
     * A budget that grows with phi trains each phi's networks in a round of their own, for the proxy's epochs times
     * 2^phi; the saturation sweep (EfficientNet's Figure 3) scales one dimension alone at the proxy's epochs, and both
     * come back in the report.
     */
    @Test
    void aFlopsBudgetGrowsTheEpochsWithPhiAndTheSaturationSweepIsReported(@TempDir Path dir) {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        String out = dir.resolve("scale-flops").toString();
        List<String> args = tiny(Path.of(out));
        args.addAll(List.of("--set", "scale.maxPhi=1", "--set", "scale.budget=flops",
                "--set", "estimator.proxy.epochs=1",
                "--set", "scale.saturation.depth=[3]", "--set", "scale.saturation.width=[2]"));
        String printed = DoctorJobTest.run(args.toArray(String[]::new));
        assertTrue(printed.startsWith("0\n"), printed);
        assertTrue(printed.contains("scaling at phi = 1 (2 epochs)"), printed);

        List<Row> rows = candidates(out);
        Map<String, Integer> rounds = new java.util.TreeMap<>();
        for (Row r : rows) {
            Map<String, Double> m = r.getJavaMap(r.fieldIndex("metrics"));
            String origin = r.getAs("origin");
            int round = r.<Integer>getAs("round");
            rounds.merge(round + " " + (origin.startsWith("single-") ? origin : origin.equals("grid") ? "grid"
                    : "phi " + m.get("phi").intValue()), 1, Integer::sum);
            int epochs = origin.equals("grid") || origin.startsWith("single-") ? 1 : 1 << m.get("phi").intValue();
            assertEquals(epochs, m.get("epochs").intValue(), r.getAs("candidate_id") + " trained " + m.get("epochs"));
        }
        assertEquals(Map.of("0 grid", 2, "1 phi 0", 1, "2 phi 1", 4, "3 single-depth", 1, "3 single-width", 1),
                rounds, "the grid, phi 0 and phi 1 in rounds of their own, then the saturation sweep");
        Row depth = rows.stream().filter(r -> r.getAs("origin").equals("single-depth")).findFirst().orElseThrow();
        assertEquals(9.0, depth.<String, Double>getJavaMap(depth.fieldIndex("metrics")).get("layers"), "3 x 3 cells");

        String report = DoctorJobTest.run("report", "--sweep", out);
        assertEquals(5, report.lines().filter(l -> l.matches("\\s+[01]\\s+(base|compound|depth|width|resolution)\\s.*"))
                .count(), report);
        assertTrue(report.contains("one dimension alone, far beyond the budget (EfficientNet's Figure 3):"), report);
        assertEquals(4, report.lines().filter(l -> l.matches("\\s+(depth|width)\\s+[0-9.]+\\s.*")).count(),
                "per dimension the base and its one multiplier: " + report);
    }

    /** Every row of a scale sweep's {@code candidates}, by candidate id. */
    static List<Row> candidates(String out) {
        SparkSession spark = SparkSessions.create("scale-check", "local[1]", Map.of("spark.ui.enabled", "false"));
        try {
            return spark.read().parquet(out + "/candidates").orderBy("candidate_id").collectAsList();
        } finally {
            spark.stop();
        }
    }

    static int phi(Row r) {
        Map<String, Double> m = r.getJavaMap(r.fieldIndex("metrics"));
        return m.get("phi").intValue();
    }

    /** The base network's FLOPs, from a grid row: its FLOPs over its ratio. */
    static double baseFlops(List<Row> grid, Row any) {
        Row g = grid.get(0);
        Map<String, Double> m = g.getJavaMap(g.fieldIndex("metrics"));
        return g.<Long>getAs("flops") / m.get("flops_ratio");
    }

    /** A NAS-Bench-201 cell as the base: its scaled networks grow in cells per stage, channels and resolution. */
    @Test
    void aNasBench201CellIsScaledAsWell(@TempDir Path dir) throws java.io.IOException {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        String out = dir.resolve("scale-nb201").toString();
        String cell = "|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|skip_connect~0|nor_conv_1x1~1|avg_pool_3x3~2|";
        List<String> args = tiny(Path.of(out));
        args.addAll(List.of("--base", cell, "--set", "scale.maxPhi=1", "--set", "estimator.proxy.nb201CellsPerStage=1",
                "--set", "export.retrain=true"));
        String printed = DoctorJobTest.run(args.toArray(String[]::new));
        assertTrue(printed.startsWith("0\n"), printed);

        List<Row> rows = candidates(out);
        List<Row> grid = rows.stream().filter(r -> r.getAs("origin").equals("grid")).toList();
        assertFalse(grid.isEmpty());
        assertEquals(grid.size() + 1 + 4, rows.size(), "the grid, the base, then phi 1 x 4 methods");
        for (Row r : rows) {
            assertEquals("nb201-scaled", r.getAs("space"));
            io.sparknas.space.scaling.ScaledNb201 s = io.sparknas.space.scaling.ScaledNb201.parse(r.getAs("genotype"));
            assertEquals(cell, s.cell().text());
            assertEquals(io.sparknas.space.nb201.Nb201CostModel.of(s.cell(), s.config(1, 10)).flops(),
                    r.<Long>getAs("flops"), r.<String>getAs("candidate_id"));
        }
        for (Row g : grid) { // NAS-Bench-201 rounds cells per stage, channels and resolution: few points are near 2x
            double ratio = g.<String, Double>getJavaMap(g.fieldIndex("metrics")).get("flops_ratio");
            assertTrue(Math.abs(ratio - 2) <= 0.25, g.getAs("candidate_id") + " costs " + ratio + "x the base");
        }
        Row base = rows.stream().filter(r -> r.getAs("origin").equals("base")).findFirst().orElseThrow();
        assertTrue(base.<String>getAs("genotype").contains("\"cellsPerStage\":1"), base.<String>getAs("genotype"));
        com.fasterxml.jackson.databind.JsonNode export = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(Path.of(out, "export", "genotype.json").toFile());
        assertEquals("nb201-scaled", export.path("space").asText());
        assertEquals(cell, export.path("genotype").asText());
        assertTrue(export.path("retrainedAccuracy").asDouble() > 0.1, export.toString());
    }

    @Test
    void badScalingInputIsRefusedBeforeAnythingIsWritten(@TempDir Path dir) {
        Path out = dir.resolve("never");
        List<String[]> bad = List.of(
                new String[] {"scale.base=" + dir.resolve("missing.json"), "is neither DARTS_V1, DARTS_V2, a NAS-Bench-201 cell"},
                new String[] {"scale.base=\"|conv_9x9~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|\"",
                        "scale.base: unknown operation 'conv_9x9'"},
                new String[] {"scale.tolerance=0.0001", "a tolerance of"},
                new String[] {"scale.maxPhi=0", "maxPhi must be >= 1"},
                new String[] {"scale.gridStep=0", "scale.grid needs step > 0"},
                new String[] {"scale.budget=epochs", "scale.budget must be 'fixed' or 'flops'"},
                new String[] {"scale.saturation.depth=[0.5]", "scale.saturation.depth: multipliers must be in (1, 64]"},
                new String[] {"estimator.data.resize=6", "the base network (estimator.proxy's size at estimator.data's "
                        + "resolution 6) cannot be built"},
                new String[] {"estimator.table.path=", "estimator.table.path must name a NAS-Bench-201 CSV"});
        for (String[] b : bad) {
            List<String> args = tiny(out);
            args.addAll(List.of("--set", b[0]));
            if (b[0].startsWith("estimator.table")) {
                args.addAll(List.of("--set", "estimator.kind=tabular"));
            }
            String printed = DoctorJobTest.runAll(args.toArray(String[]::new));
            assertTrue(printed.startsWith("2\n"), b[0] + ": " + printed);
            assertTrue(printed.contains(b[1]), b[0] + ": " + printed);
            assertFalse(Files.exists(out), "nothing written for " + b[0]);
        }
        Path nb201 = dir.resolve("genotype.json");
        try {
            Files.writeString(nb201, "{\"space\": \"darts-scaled\", \"text\": \"{}\"}");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<String> foreign = tiny(out);
        foreign.addAll(List.of("--base", nb201.toString()));
        String refused = DoctorJobTest.runAll(foreign.toArray(String[]::new));
        assertTrue(refused.startsWith("2\n") && refused.contains("is a genotype of space 'darts-scaled'; scaling takes "
                + "a darts or nb201 genotype"), refused);
        assertFalse(Files.exists(out));
        List<String> tabular = tiny(out);
        tabular.addAll(List.of("--set", "estimator.kind=tabular", "--set", "estimator.table.path=t.csv.gz"));
        String printed = DoctorJobTest.runAll(tabular.toArray(String[]::new));
        assertTrue(printed.startsWith("2\n") && printed.contains("scale needs estimator.kind = proxy"), printed);
        assertFalse(Files.exists(out));
    }

}
