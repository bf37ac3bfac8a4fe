package io.sparknas.jobs;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** In YARN cluster mode main returns on success and throws on failure: it never calls System.exit. */
class MainTest {
    @Test
    void inClusterModeSuccessReturnsAndFailureThrowsWithTheExitCode() {
        String before = System.getProperty("spark.submit.deployMode");
        System.setProperty("spark.submit.deployMode", "cluster");
        try {
            assertDoesNotThrow(() -> Main.main(new String[] {"--version"}));
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Main.main(new String[] {"search", "--conf", "absent.conf"}));
            assertTrue(e.getMessage().contains("failed with exit code 2"), e.getMessage());
        } finally {
            if (before == null) {
                System.clearProperty("spark.submit.deployMode");
            } else {
                System.setProperty("spark.submit.deployMode", before);
            }
        }
    }
}
