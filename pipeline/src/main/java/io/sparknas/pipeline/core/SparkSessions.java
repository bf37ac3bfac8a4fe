package io.sparknas.pipeline.core;

import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Builds the SparkSession of a job. Under {@code spark-submit} the master and resources come from the
 * submitter; launched locally (no {@code spark.master} set) it runs embedded in local mode on all cores,
 * bound to the loopback address. Spark's default Java serialisation is kept on purpose: sparknas ships Java
 * records (candidates, evaluations), which Kryo's field serializer cannot handle.
 */
public final class SparkSessions {
    private static final Logger LOG = LoggerFactory.getLogger(SparkSessions.class);

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
        // every page read is checked against the CRC parquet-mr writes in its header: a flipped bit fails the read
        // (a skipped file where spark.sql.files.ignoreCorruptFiles is set, as in report) instead of wrong values
        b.config("spark.hadoop.parquet.page.verify-checksum.enabled", "true");
        extra.forEach(b::config);
        SparkSession spark = b.getOrCreate();
        String ui = uiUrl(spark);
        LOG.info("{} on {}, Spark UI {}", appName, spark.sparkContext().master(), ui);
        return spark;
    }

    /**
     * The session of a tool that reads or tends a sweep (report, serve, repair, compact): one local core and no UI,
     * unless spark-submit gave a master; {@code extra} on top.
     */
    public static SparkSession forTool(String appName, Map<String, String> extra) {
        Map<String, String> conf = new java.util.HashMap<>(extra);
        conf.putIfAbsent("spark.ui.enabled", "false");
        return create(appName, System.getProperty("spark.master") != null ? null : "local[1]", conf);
    }

    /**
     * Where the running job's Spark UI is (jobs, stages, executors, the candidates' task times), or why there is
     * none: on YARN the driver's own address, which the ResourceManager's proxy also links to.
     */
    public static String uiUrl(SparkSession spark) {
        scala.Option<String> url = spark.sparkContext().uiWebUrl();
        return url.isDefined() ? url.get() : "off (spark.ui.enabled = false)";
    }
}
