package io.sparknas.pipeline.darts;

import io.sparknas.space.TestData;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.proxy.ProxyConfig;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.oneshot.darts.DartsSearchConfig;
import io.sparknas.pipeline.core.ExecutorInfo;
import io.sparknas.pipeline.core.LocalSpark;
import io.sparknas.pipeline.core.ResultStore;
import io.sparknas.pipeline.core.Sweep;
import io.sparknas.pipeline.profile.LatencyProfile;
import io.sparknas.pipeline.profile.ProfileConfig;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import io.sparknas.space.Settings;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DartsSweepTest {
    static DartsConfig config(Path out, int epochs) {
        DartsSearchConfig search = Settings.override(DartsSearchConfig.defaults(),
                "nodes: 2, channels: 4, layers: 3, stemMultiplier: 2, epochs: " + epochs + ", batchSize: 16, maxSkips: 1, seed: 3");
        EstimatorSpec proxy = new ProxySpec(tinyProxy(), Settings.override(DataConfig.fashionMnist(16, 8), "resize: 8"));
        return new DartsConfig("darts-test", out.toString(), search, 2, proxy);
    }

    static ProxyConfig tinyProxy() {
        return Settings.override(ProxyConfig.defaults(), "epochs: 3, batchSize: 16, channels: 4, stemMultiplier: 2, latencyRepeats: 2");
    }

    @Test
    void parallelSearchesCommitTracesAndAlphasAndTheirGenotypesAreEvaluated(@TempDir Path dir) throws Exception {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        DartsConfig cfg = config(dir.resolve("d"), 2);
        DartsSweep.Result result = new DartsSweep(LocalSpark.get(), cfg, System.out::println).run();
        ResultStore store = result.sweep().store();

        List<Row> epochs = store.read(DartsSweep.EPOCHS).orderBy("seed", "epoch").collectAsList();
        assertEquals(4, epochs.size(), "2 searches x 2 epochs");
        assertEquals(List.of(3L, 3L, 4L, 4L), epochs.stream().map(r -> r.<Long>getAs("seed")).toList());
        assertTrue(epochs.stream().allMatch(r -> r.getAs("status").equals("OK")
                && r.<Double>getAs("train_loss") > 0 && r.<Double>getAs("seconds") > 0));
        assertTrue(epochs.stream().allMatch(r -> r.<Integer>getAs("skips_normal") <= 1), "maxSkips = 1 holds");
        // 2 searches x 2 epochs x 2 cells x 5 edges x 8 operations, softmax weights summing to 1 per edge
        assertEquals(320, store.read(DartsSweep.ALPHAS).count());
        Row sums = store.read(DartsSweep.ALPHAS).groupBy("search_id", "epoch", "cell", "edge").sum("weight")
                .selectExpr("min(`sum(weight)`)", "max(`sum(weight)`)").first();
        assertEquals(1.0, sums.getDouble(0), 1e-6);
        assertEquals(1.0, sums.getDouble(1), 1e-6);

        assertEquals(2, result.evaluations().size());
        for (Evaluation e : result.evaluations()) {
            assertEquals(Evaluation.Status.OK, e.status(), e.error());
            String searchId = e.candidate().id().substring("darts-".length());
            Row last = epochs.stream().filter(r -> r.getAs("search_id").equals(searchId) && r.<Integer>getAs("epoch") == 2)
                    .findFirst().orElseThrow();
            assertEquals(last.getAs("genotype"), e.candidate().genotype(), "the final derived genotype is evaluated");
        }
        assertEquals(2, store.readRound(0).size());
        assertTrue(result.best().isPresent());

        // A rerun resumes: nothing is searched or evaluated again.
        DartsSweep.Result again = new DartsSweep(LocalSpark.get(), cfg, s -> { }).run();
        assertEquals(4, again.sweep().store().read(DartsSweep.EPOCHS).count());
        assertEquals(result.best().get().accuracy(), again.best().get().accuracy());

        // The driver died between the two phases (traces committed, candidates not): the rerun trains the committed
        // genotypes without searching again, and gets what the uninterrupted run got.
        try (var paths = Files.walk(dir.resolve("d/candidates"))) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        List<String> lines = new java.util.ArrayList<>();
        DartsSweep.Result rerun = new DartsSweep(LocalSpark.get(), cfg, lines::add).run();
        assertTrue(lines.get(0).startsWith("resuming: the searches are committed"), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("searched:") || l.startsWith("search ")), lines.toString());
        assertEquals(result.evaluations().stream().map(e -> e.candidate().genotype() + " " + e.accuracy()).toList(),
                rerun.evaluations().stream().map(e -> e.candidate().genotype() + " " + e.accuracy()).toList());
        assertEquals(4, rerun.sweep().store().read(DartsSweep.EPOCHS).count(), "the traces are untouched");

        // The driver died between the alphas' commit and the epochs' (the alphas committed first): the rerun searches
        // again, keeps the committed alphas as they are, commits the epochs and trains what the first run trained.
        List<String> alphaFiles = files(dir.resolve("d/darts_alphas"));
        for (String gone : List.of("d/darts_epochs", "d/candidates")) {
            try (var paths = Files.walk(dir.resolve(gone))) {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        lines.clear();
        DartsSweep.Result afterAlphas = new DartsSweep(LocalSpark.get(), cfg, lines::add).run();
        assertTrue(lines.stream().noneMatch(l -> l.startsWith("resuming: the searches are committed")), lines.toString());
        assertEquals(alphaFiles, files(dir.resolve("d/darts_alphas")), "the committed alphas are not written again");
        assertEquals(epochs.stream().map(r -> r.getAs("search_id") + " " + r.getAs("epoch") + " " + r.getAs("genotype"))
                .toList(), afterAlphas.sweep().store().read(DartsSweep.EPOCHS).orderBy("seed", "epoch").collectAsList()
                .stream().map(r -> r.getAs("search_id") + " " + r.getAs("epoch") + " " + r.getAs("genotype")).toList(),
                "the searches again derive what the first run derived");
        assertEquals(result.evaluations().stream().map(e -> e.candidate().genotype() + " " + e.accuracy()).toList(),
                afterAlphas.evaluations().stream().map(e -> e.candidate().genotype() + " " + e.accuracy()).toList());
        // Another configuration on the same path is refused.
        assertThrows(Sweep.Mismatch.class,
                () -> new DartsSweep(LocalSpark.get(), config(dir.resolve("d"), 3), s -> { }).run());
    }

    /** The files under {@code dir} with their sizes and times, sorted: what a second write would change. */
    private static List<String> files(Path dir) throws java.io.IOException {
        try (var paths = Files.walk(dir)) {
            return paths.filter(Files::isRegularFile).map(p -> {
                try {
                    return dir.relativize(p) + " " + Files.size(p) + " " + Files.getLastModifiedTime(p).toMillis();
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).sorted().toList();
        }
    }

    @Test
    void aSearchThatFailsIsAFailedTraceNotACrash() {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        // 6x6 images cannot pass two reductions (the input size must be a multiple of 4): the search throws
        ProxySpec sixBySix = new ProxySpec(tinyProxy(), Settings.override(DataConfig.fashionMnist(8, 8), "resize: 6"));
        DartsTraces.Trace t = DartsTraces.runSearch(new DartsTraces.SearchTask("s3", config(Path.of("unused"), 1)
                .search(), null), sixBySix, LocalSpark.get().sparkContext().collectionAccumulator("epochs"));
        assertTrue(t.epochs().isEmpty());
        assertTrue(t.error().startsWith("IllegalArgumentException") && t.error().contains("inputSize"), t.error());
        assertEquals("s3", t.searchId());
    }

    /**
     * Latency-aware DARTS end to end: a latency table of the proxy's DARTS network made by the profile job, then one
     * search per lambda as Spark tasks; the traces and candidates carry lambda, the expected and the predicted
     * latency; the sweep reports an accuracy-latency front of evaluated genotypes; a resume keeps lambda.
     */
    @Test
    void latencyAwareSearchesRunPerLambdaAndReportTheirFront(@TempDir Path dir) throws Exception {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        DartsConfig plain = config(dir.resolve("d"), 1);
        Path table = profileTable(dir, (ProxySpec) plain.estimator());
        DartsConfig cfg = new DartsConfig("darts-lat", dir.resolve("d").toString(), plain.search(), 1,
                plain.estimator(), List.of(0.0, 20.0), table.toString());
        List<String> lines = new java.util.ArrayList<>();
        DartsSweep.Result result = new DartsSweep(LocalSpark.get(), cfg, s -> {
            lines.add(s);
            System.out.println(s);
        }).run();
        ResultStore store = result.sweep().store();
        List<Row> epochs = store.read(DartsSweep.EPOCHS).orderBy("search_id").collectAsList();
        assertEquals(List.of("s3-l0", "s3-l1"), epochs.stream().map(r -> r.<String>getAs("search_id")).toList());
        assertEquals(List.of(0.0, 20.0), epochs.stream().map(r -> r.<Double>getAs("latency_weight")).toList());
        double light = epochs.get(0).<Double>getAs("expected_latency_ms");
        double heavy = epochs.get(1).<Double>getAs("expected_latency_ms");
        assertTrue(heavy < light, "lambda 20 ends with a lower expected latency: " + heavy + " against " + light);

        assertEquals(2, result.evaluations().size());
        for (Evaluation e : result.evaluations()) {
            assertEquals(Evaluation.Status.OK, e.status(), e.error());
            // the table's prediction of the derived network, as a reader of the CSV computes it
            double predicted = io.sparknas.space.latency.LatencyPredictor.fromCsv(Files.readAllLines(table), "darts",
                    table.toString()).predict(io.sparknas.space.latency.DartsOps.of(io.sparknas.space.darts.DartsText
                    .parse(e.candidate().genotype()), ((ProxySpec) plain.estimator()).dartsNetwork()));
            assertEquals(predicted, e.metrics().get(Metrics.LATENCY_PREDICTED), 1e-9);
            assertTrue(e.metrics().get(Metrics.LATENCY_MS_B1) > 0, e.metrics().toString());
            assertTrue(e.metrics().get(Metrics.LATENCY_TIMED) > 0, e.metrics().toString());
        }
        assertEquals(List.of(0.0, 20.0), result.evaluations().stream()
                .map(e -> e.metrics().get(Metrics.LATENCY_WEIGHT)).toList());
        assertTrue(!result.front().isEmpty() && result.evaluations().containsAll(result.front()));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("front (accuracy, latency_ms_timed): darts-s3-l")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("seed 3: latency by rising lambda")), lines.toString());

        // A resume reads lambda back from the committed rows.
        DartsSweep.Result again = new DartsSweep(LocalSpark.get(), cfg, s -> { }).run();
        assertEquals(result.front().stream().map(e -> e.candidate().id()).toList(),
                again.front().stream().map(e -> e.candidate().id()).toList());
    }

    @Test
    void aMissingForeignOrShortLatencyTableAndANegativeLambdaAreRefusedBeforeAnythingIsWritten(@TempDir Path dir)
            throws Exception {
        DartsConfig plain = config(dir.resolve("d"), 1);
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> new DartsConfig("x", dir.resolve("d").toString(), plain.search(), 1, plain.estimator(),
                        List.of(-1.0), "t.csv"));
        assertTrue(negative.getMessage().contains("darts.latencyWeights") && negative.getMessage().contains(">= 0"));
        IllegalArgumentException noTable = assertThrows(IllegalArgumentException.class,
                () -> new DartsConfig("x", dir.resolve("d").toString(), plain.search(), 1, plain.estimator(),
                        List.of(1.0), ""));
        assertTrue(noTable.getMessage().contains("./sparknas profile"), noTable.getMessage());

        Path missing = dir.resolve("none.csv");
        Path nb201 = dir.resolve("nb201.csv");
        Files.writeString(nb201, "device,engine,threads,space,op,channels_in,channels_out,size,stride,median_ms\n"
                + "cpu x,e,1,nb201,nor_conv_3x3,16,16,32,1,0.5\n");
        Path small = dir.resolve("small.csv");
        Files.writeString(small, "device,engine,threads,space,op,channels_in,channels_out,size,stride,median_ms\n"
                + "cpu x," + ExecutorInfo.engine() + ",1,darts,sep_conv_3x3,4,4,8,1,0.5\n");
        Path foreignEngine = dir.resolve("engine.csv");
        Files.writeString(foreignEngine, "device,engine,threads,space,op,channels_in,channels_out,size,stride,"
                + "median_ms\ncpu x,djl-0.1/PyTorch-1.0,1,darts,sep_conv_3x3,4,4,8,1,0.5\n");
        for (Path t : List.of(missing, nb201, small, foreignEngine)) {
            DartsConfig cfg = new DartsConfig("darts-lat", dir.resolve("d").toString(), plain.search(), 1,
                    plain.estimator(), List.of(1.0), t.toString());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DartsSweep(LocalSpark.get(), cfg, s -> { }).run());
            System.out.println(e.getMessage());
            assertTrue(e.getMessage().contains(t.toString()) && e.getMessage().contains("profile"), e.getMessage());
            assertTrue(!Files.exists(dir.resolve("d")), "nothing written for " + t);
        }
    }

    /** The profile job's table of the proxy's DARTS network, timed quickly (a few repeats). */
    static Path profileTable(Path dir, ProxySpec proxy) {
        ProfileConfig cfg = new ProfileConfig("profile-darts", dir.resolve("profile").toString(),
                "darts", null, proxy.dartsNetwork(), 1, 3, 4, 1, 0, 1, "calibrated", "p10");
        LatencyProfile.Result r = new LatencyProfile(LocalSpark.get(), cfg, System.out::println).run();
        assertTrue(r.predictor().table().size() > 0);
        return dir.resolve("profile/latency_table.csv");
    }
}
