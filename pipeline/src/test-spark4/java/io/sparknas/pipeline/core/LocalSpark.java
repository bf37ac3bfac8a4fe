package io.sparknas.pipeline.core;

import org.apache.spark.sql.SparkSession;

import java.util.Map;

/**
 * One local Spark session for the module's tests: 2 cores, up to 3 attempts per task (so retries can be
 * tested), UI off. Stopped by the JVM's shutdown.
 */
public final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {
    }

    public static synchronized SparkSession get() {
        if (session == null) {
            session = SparkSessions.create("sparknas-tests", "local[2,3]",
                    Map.of("spark.ui.enabled", "false", "spark.sql.shuffle.partitions", "2"));
            Runtime.getRuntime().addShutdownHook(new Thread(session::stop));
        }
        return session;
    }
}
