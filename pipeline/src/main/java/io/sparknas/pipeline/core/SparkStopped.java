package io.sparknas.pipeline.core;

import org.apache.spark.api.java.JavaSparkContext;

/**
 * Spark stopped while candidates ran (SIGTERM, {@code yarn application -kill}, a pod eviction stop the driver's
 * context and fail its running jobs): that is no result of any candidate, so nothing more is committed, what was
 * committed is kept, and the same command resumes.
 */
public final class SparkStopped extends IllegalStateException {
    SparkStopped(String message, Throwable cause) {
        super(message, cause);
    }

    /** Throws if {@code t} (null: none yet) came from Spark stopping rather than from a candidate. */
    static void check(JavaSparkContext jsc, Throwable t) {
        String m = t == null || t.getMessage() == null ? "" : t.getMessage();
        if (jsc.sc().isStopped() || m.contains("SparkContext was shut down") || m.contains("stopped SparkContext")) {
            throw new SparkStopped("Spark was shut down while candidates ran (SIGTERM, yarn application -kill, a pod "
                    + "eviction?): no running candidate was recorded as failed, what was committed is kept, and "
                    + "the same command resumes", t);
        }
    }
}
