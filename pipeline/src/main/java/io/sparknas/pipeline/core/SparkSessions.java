package io.sparknas.pipeline.core;

import org.apache.spark.sql.SparkSession;

import java.util.Map;

/**
 * Builds the SparkSession of a job. Under {@code spark-submit} the master and resources come from the
 * submitter; launched locally (no {@code spark.master} set) it runs embedded in local mode on all cores,
 * bound to the loopback address. Spark's default Java serialisation is kept on purpose: sparknas ships Java
 * records (candidates, evaluations), which Kryo's field serializer cannot handle.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    /**
     * @param master  {@code local[N]}, {@code local[*]}, a cluster URL, or null for "whatever spark-submit set,
     *                else local[*]"
     * @param extra   further Spark settings (e.g. {@code spark.ui.enabled})
     */
    public static SparkSession create(String appName, String master, Map<String, String> extra) {
        SparkSession.Builder b = SparkSession.builder().appName(appName);
        String chosen = master != null ? master : System.getProperty("spark.master");
        if (chosen == null) {
            chosen = "local[*]";
        }
        b.master(chosen);
        if (chosen.startsWith("local")) {
            b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        b.config("spark.sql.session.timeZone", "UTC");
        b.config("spark.ui.showConsoleProgress", "false");
        b.config("spark.sql.debug.maxToStringFields", "100");
        extra.forEach(b::config);
        return b.getOrCreate();
    }
}
