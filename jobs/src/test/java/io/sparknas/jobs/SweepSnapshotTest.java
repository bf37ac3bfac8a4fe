package io.sparknas.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sparknas.space.Candidate;
import io.sparknas.space.Evaluation;
import io.sparknas.space.Metrics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SweepSnapshotTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Candidate candidate(String id) {
        return new Candidate(id, "nb201", "g-" + id, "k-" + id, "random", List.of(), 7L);
    }

    private static Evaluation ok(String id, double acc, double flops, long end) {
        return Evaluation.ok(candidate(id), acc, Map.of(Metrics.FLOPS, flops, Metrics.epoch(1, Metrics.VAL_ACCURACY),
                acc / 2, Metrics.epoch(2, Metrics.VAL_ACCURACY), acc), "cpu", end - 1000, end);
    }

    private static JsonNode meta(int budget) throws Exception {
        return JSON.readTree("{\"sweep\":\"s\",\"kind\":\"search\",\"configHash\":\"h\",\"config\":{\"strategy\":"
                + "{\"name\":\"random\"}},\"budgetHistory\":[{\"budget\":" + budget + "}]}");
    }

    @Test
    void bestSoFarNeverFallsAndIgnoresFailedRowsInCommitOrder() throws Exception {
        List<Evaluation> rows = List.of(ok("c2", 0.6, 200, 3000), ok("c0", 0.5, 100, 1000),
                Evaluation.failed(candidate("c1"), "boom", Map.of(), "cpu", 1500, 2000), ok("c3", 0.55, 50, 4000));
        JsonNode s = SweepSnapshot.of(meta(8), "/r", rows, "v1");
        assertEquals("[[1,0.5],[2,0.5],[3,0.6],[4,0.6]]", s.get("bestByEvaluation").toString());
        assertEquals("[[1.0,0.5],[2.0,0.5],[3.0,0.6],[4.0,0.6]]", s.get("bestByTime").toString());
        assertEquals("c2", s.get("winner").asText());
        assertEquals("{\"FAILED\":1,\"OK\":3}", s.get("byStatus").toString());
        assertTrue(s.get("rows").get(1).get("accuracy").isNull(), "a failed row has no accuracy");
        assertEquals("boom", s.get("rows").get(1).get("error").asText());
    }

    @Test
    void theEtaIsTheRateSoFarTimesWhatTheBudgetLeaves() throws Exception {
        List<Evaluation> rows = List.of(ok("c0", 0.5, 100, 1000), ok("c1", 0.6, 200, 3000));
        JsonNode s = SweepSnapshot.of(meta(8), "/r", rows, "v");
        assertEquals(3.0, s.get("elapsedSeconds").asDouble(), 1e-9); // first start 0 ms, last end 3000 ms
        assertEquals(3.0 / 2 * 6, s.get("etaSeconds").asDouble(), 1e-9);
        assertEquals(8, s.get("budget").asInt());
        JsonNode done = SweepSnapshot.of(meta(2), "/r", rows, "v");
        assertEquals(0.0, done.get("etaSeconds").asDouble(), 0.0);
        JsonNode empty = SweepSnapshot.of(meta(2), "/r", List.of(), "v");
        assertTrue(empty.get("etaSeconds").isNull() && empty.get("winner").isNull());
    }

    @Test
    void curvesAreTheValidationAccuracyPerEpochAndTheFrontIsTheNonDominatedRows() throws Exception {
        List<Evaluation> rows = List.of(ok("a", 0.5, 100, 1000), ok("b", 0.6, 200, 2000), ok("c", 0.55, 300, 3000));
        JsonNode s = SweepSnapshot.of(meta(3), "/r", rows, "v");
        assertEquals("[[1,0.3],[2,0.6]]", s.get("curves").get("b").toString());
        assertEquals("[\"a\",\"b\"]", s.get("fronts").get(Metrics.FLOPS).toString(), "c costs more than b, scores less");
        assertTrue(!s.get("fronts").has(Metrics.LATENCY_MS_B1), "no front for a cost no row records");
    }
}
