package io.sparknas.pipeline.core;

import org.apache.spark.sql.SparkSession;

import java.util.Map;
import java.util.function.Function;

/**
 * One local Spark session for the module's tests: 2 cores, one attempt per task (a test never passes because Spark
 * quietly ran a failing task again), UI off. A test of task retries asks for them ({@link #withTaskRetries}).
 * Stopped by the JVM's shutdown.
 */
public final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {
    }

    public static synchronized SparkSession get() {
        if (session == null || session.sparkContext().isStopped()) {
            session = SparkSessions.create("sparknas-tests", "local[2]", settings());
            SparkSession s = session;
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
        }
        return session;
    }

    /**
     * Runs {@code body} on a session whose tasks get up to {@code attempts} attempts ({@code local[2,attempts]}),
     * in place of the shared one, which the next {@link #get} starts again.
     */
    public static synchronized <T> T withTaskRetries(int attempts, Function<SparkSession, T> body) {
        if (session != null) {
            session.stop();
            session = null;
        }
        SparkSession retrying = SparkSessions.create("sparknas-tests-retries", "local[2," + attempts + "]",
                settings());
        try {
            return body.apply(retrying);
        } finally {
            retrying.stop();
        }
    }

    private static Map<String, String> settings() {
        return Map.of("spark.ui.enabled", "false", "spark.sql.shuffle.partitions", "2");
    }
}
