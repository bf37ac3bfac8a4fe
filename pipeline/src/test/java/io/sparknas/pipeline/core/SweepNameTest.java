package io.sparknas.pipeline.core;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A sweep's name becomes a directory name and a Spark job group: only names that stay one plain name pass. */
class SweepNameTest {
    @Test
    void plainNamesPass() {
        for (String name : new String[] {"quickstart", "darts-latency.v2", "run_3", ".hidden-ok"}) {
            assertDoesNotThrow(() -> Json.checkName(name), name);
        }
    }

    @Test
    void dotsOnlySeparatorsSpacesAndEmptyAreRefusedInOneLine() {
        for (String name : new String[] {".", "..", "...", "a/b", "../up", "my sweep", "", "a\\b"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.checkName(name),
                    name);
            assertTrue(e.getMessage().startsWith("sweep.name must be") && e.getMessage().contains("'" + name + "'")
                    && !e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
