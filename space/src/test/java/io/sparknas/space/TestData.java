package io.sparknas.space;

import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine beyond the build (a dataset, MNIST, Graphviz, the notebook environment): where it
 * is missing the test is skipped with the reason, except under {@code CI=true}, where {@code .ci/run} installs all of
 * them and a missing one fails the test, so that a skip is never counted as a pass there.
 */
public final class TestData {
    private TestData() {
    }

    /** Skips (or, under CI=true, fails) the test unless {@code present}; {@code what} says what is missing and how to get it. */
    public static void require(boolean present, String what) {
        if (present) {
            return;
        }
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(what + " (missing under CI=true, where .ci/run installs it)");
        }
        Assumptions.assumeTrue(false, what);
    }
}
