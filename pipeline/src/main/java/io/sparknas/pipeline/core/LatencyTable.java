package io.sparknas.pipeline.core;

import io.sparknas.space.latency.LatencyPredictor;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A latency table the profile job wrote ({@code latency_table.csv}), read from any Hadoop path for a job that
 * predicts latency: its key (device, engine, threads) and its predictor. A missing file, a table of another space,
 * or one made with another DJL/libtorch version is refused in one line saying how to make the right one.
 */
public record LatencyTable(String device, String engine, int threads, LatencyPredictor predictor) {

    /** Reads and checks {@code path}; {@code key} names the setting that gave it, for the messages. */
    public static LatencyTable read(SparkSession spark, String path, String space, String key) {
        String make = "make one with: ./sparknas profile --conf conf/profile-" + space + ".conf";
        List<String> lines;
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            lines = new String(WholeFiles.readWhole(fs, path), StandardCharsets.UTF_8).lines().toList();
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException(key + ": no latency table at " + path + "; " + make);
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": cannot read the latency table " + path + " (" + e.getMessage()
                    + "); " + make);
        }
        LatencyPredictor predictor = LatencyPredictor.fromCsv(lines, space, key + " " + path);
        if (lines.size() < 2) {
            throw new IllegalArgumentException(key + ": the latency table " + path + " has no entries; " + make);
        }
        String[] first = lines.get(1).split(",", -1);
        String engine = ExecutorInfo.engine();
        if (!first[1].equals(engine)) {
            throw new IllegalArgumentException(key + ": the latency table " + path + " was made with " + first[1]
                    + ", this is " + engine + "; " + make);
        }
        return new LatencyTable(first[0], first[1], Integer.parseInt(first[2]), predictor);
    }
}
