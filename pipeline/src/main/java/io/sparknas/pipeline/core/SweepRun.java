package io.sparknas.pipeline.core;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

import java.util.function.Consumer;

/**
 * What every stage of one run of a sweep shares: the opened sweep, Spark, the console ({@code log}: progress lines
 * for the user) and who hears each commit. A kind opens its sweep, makes one of these and runs its stages through it.
 */
public record SweepRun(Sweep sweep, JavaSparkContext jsc, Consumer<String> log, CommitListener listener) {

    public static SweepRun of(SparkSession spark, Sweep sweep, Consumer<String> log, CommitListener listener) {
        return new SweepRun(sweep, JavaSparkContext.fromSparkContext(spark.sparkContext()), log, listener);
    }

    public static SweepRun of(SparkSession spark, Sweep sweep, Consumer<String> log) {
        return of(spark, sweep, log, CommitListener.NONE);
    }

    public ResultStore store() {
        return sweep.store();
    }
}
