package io.sparknas.pipeline.core;

import org.apache.hadoop.conf.Configuration;

import java.io.Serializable;
import java.util.HashMap;
import java.util.Map;

/**
 * The driver's Hadoop configuration as a value a Spark task can carry ({@code Configuration} is not serialisable),
 * so that a task writes to the sweep's storage ({@code hdfs://}, {@code s3a://}) with the driver's settings
 * ({@code spark.hadoop.*} included).
 */
public record HadoopSettings(Map<String, String> entries) implements Serializable {
    public HadoopSettings {
        entries = Map.copyOf(entries);
    }

    public static HadoopSettings of(Configuration conf) {
        Map<String, String> m = new HashMap<>();
        conf.forEach(e -> m.put(e.getKey(), e.getValue()));
        return new HadoopSettings(m);
    }

    /** The configuration again, on the executor. */
    public Configuration configuration() {
        Configuration conf = new Configuration(false);
        entries.forEach(conf::set);
        return conf;
    }
}
