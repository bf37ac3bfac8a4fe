package io.sparknas.pipeline.core;

import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The driver's one-row Parquet files against Spark's own writer: the same schema, the same rows back. */
class ParquetRowsTest {
    private static List<Row> rows() {
        Candidate ok = new Candidate("c000001", "nb201", "|nor_conv_3x3~0|", "k1", "mutation", List.of("c0", "c9"), 42);
        Candidate bad = new Candidate("c000002", "nb201", "|none~0|", "k2", "random", List.of(), 43);
        Provenance p = new Provenance("hash", "0.1", "4.2.0", "0.36.0", "17");
        long start = 1_795_000_000_123L;
        Evaluation e1 = new Evaluation(ok, Evaluation.Status.OK, 0.875, Map.of("flops", 1.5e6, "params", 1234.0,
                "train_seconds", 9.25), "cpu", "", start, start + 17_456);
        Evaluation e2 = Evaluation.failed(bad, "NaN loss", Map.of(), "gpu:0", start - 86_400_000L * 400, start);
        return List.of(
                ResultSchema.toRow("s", io.sparknas.estimators.spec.TabularSpec.of("t.csv", "v", "t"),
                        new TaskResult(e1, "1", "host-a", 2), p, 7, 9),
                ResultSchema.toRow("s", io.sparknas.estimators.spec.TabularSpec.of("t.csv", "v", "t"),
                        new TaskResult(e2, "driver", "host-b", -1), p, null, null));
    }

    @Test
    void aDriverWrittenFileReadsBackAsTheSameRowsAndSchemaAsSparksOwn(@TempDir Path dir) throws Exception {
        SparkSession spark = LocalSpark.get();
        ResultStore store = new ResultStore(spark, dir.resolve("sweep").toString());
        store.commitFile(ResultStore.CANDIDATES, 0, rows(), ResultSchema.CANDIDATES, "tell-00000007.parquet");
        String sparks = dir.resolve("spark").toString();
        spark.createDataFrame(rows(), ResultSchema.CANDIDATES).coalesce(1).write().mode(SaveMode.ErrorIfExists)
                .parquet(sparks);

        String mine = store.path(ResultStore.CANDIDATES) + "/round=0";
        // no schema given: Spark takes it from the file's footer, as pyarrow and a notebook do
        assertEquals(spark.read().parquet(sparks).schema(), spark.read().parquet(mine).schema());
        assertEquals(ResultSchema.CANDIDATES.asNullable(), spark.read().parquet(mine).schema());
        List<Row> back = spark.read().parquet(mine).orderBy("candidate_id").collectAsList();
        List<Row> expected = spark.read().parquet(sparks).orderBy("candidate_id").collectAsList();
        assertEquals(expected.toString(), back.toString());
        assertEquals(2, back.size());
        assertEquals(rows().get(0).getTimestamp(23), back.get(0).getTimestamp(23), "timestamps to the millisecond");
        assertEquals(rows().get(1).getTimestamp(23), back.get(1).getTimestamp(23), "a date 400 days earlier too");
        assertEquals(Map.of("flops", 1.5e6, "params", 1234.0, "train_seconds", 9.25),
                back.get(0).getJavaMap(back.get(0).fieldIndex("metrics")));
        assertTrue(store.unreadable().isEmpty());
        assertEquals(List.of("c000001", "c000002"), store.readAllCandidates().stream()
                .map(e -> e.candidate().id()).toList());
    }
}
