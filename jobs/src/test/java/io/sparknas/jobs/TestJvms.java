package io.sparknas.jobs;

import java.util.Arrays;
import java.util.List;

/**
 * The JVM flags of the JVMs the tests start (child drivers, spark-submit, executors, Maven): the ones the build gives
 * its own test JVMs ({@code test.jvm.flags} in the parent pom, C1 only), so that a child costs what a test JVM does.
 */
final class TestJvms {
    private TestJvms() {
    }

    /** The flags, each its own argument; none outside Maven. */
    static List<String> flags() {
        return Arrays.stream(flagLine().split(" ")).filter(f -> !f.isEmpty()).toList();
    }

    /** The flags as one line, for {@code spark.*.extraJavaOptions} or {@code MAVEN_OPTS}. */
    static String flagLine() {
        return System.getProperty("sparknas.test.jvm.flags", "").strip();
    }
}
