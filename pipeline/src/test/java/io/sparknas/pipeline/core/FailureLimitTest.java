package io.sparknas.pipeline.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FailureLimitTest {
    private final FailureLimit half = new FailureLimit("s", 0.5, "search.maxFailedFraction");

    @Test
    void theFirstCandidateFailingIsNotAShareOfFailures() {
        assertDoesNotThrow(() -> half.check(new Counts(1, 1, 0), 0));
        assertDoesNotThrow(() -> half.check(new Counts(4, 4, 0), 3));
    }

    @Test
    void fromItsMinimumSampleOnMoreThanTheShareStopsTheStage() {
        assertDoesNotThrow(() -> half.check(new Counts(6, 3, 0), 5));
        FailureLimit.TooManyFailures stop = assertThrows(FailureLimit.TooManyFailures.class,
                () -> half.check(new Counts(5, 3, 0), 4));
        assertTrue(stop.getMessage().contains("3 of 5 candidates failed (60%)"), stop.getMessage());
        assertThrows(FailureLimit.TooManyFailures.class, () -> new FailureLimit("s", 0.5, 1, "x")
                .check(new Counts(1, 1, 0), 0));
    }

    @Test
    void prunedCandidatesAreNotFailures() {
        assertDoesNotThrow(() -> half.check(new Counts(10, 2, 8), 9));
    }
}
