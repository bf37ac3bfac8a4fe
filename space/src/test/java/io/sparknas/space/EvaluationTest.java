package io.sparknas.space;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The three outcomes of an evaluation: a failure is a value with NaN accuracy; a pruned candidate keeps its curve. */
class EvaluationTest {
    static final Candidate C = new Candidate("c000001", "nb201", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
            "k", "random", List.of(), 1);

    @Test
    void aPrunedCandidateKeepsTheAccuracyItReachedAndIsNotAFailure() {
        Evaluation p = Evaluation.pruned(C, 0.61, Map.of(Metrics.epoch(2, Metrics.VAL_ACCURACY), 0.61), "cpu",
                "stopped at rung 0 (2 epochs)", 0, 1);
        assertEquals(Evaluation.Status.PRUNED, p.status());
        assertEquals(0.61, p.accuracy());
        assertFalse(p.isOk());
        assertFalse(p.isFailed());
        assertEquals("stopped at rung 0 (2 epochs)", p.error());
        assertEquals(0.61, p.metric("epoch_02_val_accuracy"));
        assertEquals("pruned", Evaluation.pruned(C, Double.NaN, Map.of(), "cpu", "", 0, 1).error(),
                "a reason is always given");
    }

    @Test
    void aFailureHasNoAccuracyAndAReason() {
        Evaluation f = Evaluation.failed(C, "", Map.of(), "", 0, 1);
        assertTrue(f.isFailed());
        assertTrue(Double.isNaN(f.accuracy()));
        assertEquals("failed without a reason", f.error());
        Evaluation nan = new Evaluation(C, Evaluation.Status.OK, Double.NaN, Map.of(), "", "", 0, 1);
        assertTrue(nan.isFailed(), "a non-finite accuracy reported as OK is a failure, so no strategy ranks a NaN");
    }
}
