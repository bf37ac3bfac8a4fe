package io.sparknas.pipeline.core;

import io.sparknas.space.TestData;
import io.sparknas.estimators.data.DataConfig;
import io.sparknas.estimators.proxy.ProxyConfig;
import io.sparknas.estimators.spec.EstimatorSpec;
import io.sparknas.estimators.spec.ProxySpec;
import io.sparknas.space.Candidate;
import io.sparknas.space.Settings;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsSpace;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The foundation end to end: real DJL training inside Spark tasks, results to Parquet and back. */
class SparkDjlSmokeTest {

    @Test
    void trainsInSparkTasksAndRoundTripsParquet(@TempDir Path dir) throws Exception {
        TestData.require(Files.isDirectory(Path.of(DataConfig.FASHION_MNIST_DEFAULT_DIR)),
                "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        EstimatorSpec spec = new ProxySpec(Settings.override(ProxyConfig.defaults(),
                "epochs: 2, batchSize: 32, channels: 8, latencyRepeats: 3"), DataConfig.fashionMnist(50, 10));
        DartsSpace space = new DartsSpace();
        List<Candidate> candidates = new ArrayList<>();
        for (DartsGenotype g : List.of(DartsGenotype.DARTS_V1, DartsGenotype.DARTS_V2)) {
            candidates.add(new Candidate("c" + candidates.size(), space.name(), space.format(g), space.canonicalKey(g),
                    "random", List.of(), 42 + candidates.size()));
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(LocalSpark.get().sparkContext());
        List<EpochReport> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<TaskResult> results = new SparkEvaluator(jsc, spec, heard::add).evaluate(candidates, 2);
        assertEquals(2, results.size());
        for (TaskResult r : results) {
            String id = r.evaluation().candidate().id();
            EpochReport epoch1 = heard.stream().filter(h -> h.candidateId().equals(id)).findFirst().orElseThrow(
                    () -> new AssertionError("no epoch of " + id + " reached the driver: " + heard));
            assertEquals(1, epoch1.epoch());
            assertEquals(r.evaluation().metric("epoch_01_val_accuracy"), epoch1.metrics().get("val_accuracy"));
        }
        assertEquals(4, heard.size(), "two epochs each, each heard once: " + heard);
        for (TaskResult r : results) {
            assertTrue(r.evaluation().isOk(), r.evaluation().error());
            assertTrue(r.evaluation().metric("train_seconds") > 0);
        }

        ResultStore store = new ResultStore(LocalSpark.get(), dir.resolve("sweep").toString());
        Provenance p = Provenance.current("test");
        List<Row> rows = results.stream().map(r -> ResultSchema.toRow("smoke", spec, r, p)).toList();
        store.commit(ResultStore.CANDIDATES, 0, rows, ResultSchema.CANDIDATES);
        List<Row> back = store.candidates().orderBy("candidate_id").collectAsList();
        assertEquals(2, back.size());
        assertEquals("c0", back.get(0).getAs("candidate_id"));
        assertEquals(0, (int) back.get(0).<Integer>getAs("round"));
        assertEquals(results.get(0).evaluation().accuracy(), back.get(0).<Double>getAs("accuracy"));
        assertEquals("OK", back.get(1).getAs("status"));
        assertTrue(back.get(1).<Long>getAs("params") > 0);
        assertEquals("proxy", back.get(0).getAs("estimator"));
        assertEquals(spec, new com.fasterxml.jackson.databind.ObjectMapper().readValue(
                back.get(0).<String>getAs("estimator_config"), EstimatorSpec.class), "the row says how it was estimated");
        assertEquals(results.get(1).evaluation().candidate(), store.readRound(0).get(1).candidate());
    }
}
