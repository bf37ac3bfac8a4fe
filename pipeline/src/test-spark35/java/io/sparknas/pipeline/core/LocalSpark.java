package io.sparknas.pipeline.core;

import com.holdenkarau.spark.testing.SharedJavaSparkContext;
import com.holdenkarau.spark.testing.SparkSessionProvider;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The module's one local Spark session on Spark 3.5 (the spark35 profile), from spark-testing-base: its shared
 * context, given this module's settings (2 cores, one attempt per task: a test never passes because Spark quietly ran a failing task again; UI off; a test of retries asks for them, {@link #withTaskRetries}), and
 * the session over it, which spark-testing-base's SparkSessionProvider holds too. Stopped by the JVM's shutdown.
 */
public final class LocalSpark {
    private static SparkSession session;

    private LocalSpark() {
    }

    /** spark-testing-base's shared context with the settings of {@link SparkSessions} for local tests. */
    private static final class Shared extends SharedJavaSparkContext {
        @Override
        public SparkConf conf() {
            return new SparkConf().setMaster("local[2]").setAppName("sparknas-tests")
                    .set("spark.ui.enabled", "false").set("spark.sql.shuffle.partitions", "2")
                    .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
                    .set("spark.sql.session.timeZone", "UTC").set("spark.ui.showConsoleProgress", "false");
        }
    }

    public static synchronized SparkSession get() {
        if (session == null || session.sparkContext().isStopped()) {
            Shared shared = new Shared();
            shared.runBefore();
            session = SparkSession.builder().config(shared.conf()).getOrCreate(); // over the shared context
            SparkSessionProvider._sparkSession_$eq(session);
            Runtime.getRuntime().addShutdownHook(new Thread(SharedJavaSparkContext::runAfterClass));
        }
        return session;
    }

    /**
     * Runs {@code body} on a session whose tasks get up to {@code attempts} attempts ({@code local[2,attempts]}), in
     * place of the shared context, which the next {@link #get} starts again.
     */
    public static synchronized <T> T withTaskRetries(int attempts, java.util.function.Function<SparkSession, T> body) {
        if (session != null) {
            SharedJavaSparkContext.runAfterClass();
            session = null;
        }
        SparkSession retrying = SparkSessions.create("sparknas-tests-retries", "local[2," + attempts + "]",
                java.util.Map.of("spark.ui.enabled", "false", "spark.sql.shuffle.partitions", "2"));
        try {
            return body.apply(retrying);
        } finally {
            retrying.stop();
        }
    }
}
