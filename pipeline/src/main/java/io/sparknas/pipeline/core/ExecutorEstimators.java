package io.sparknas.pipeline.core;

import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.spec.EstimatorSpec;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * One estimator per executor JVM and spec: the first task that needs it builds it (engine start, dataset load),
 * every later task in that JVM reuses it. Thread-safe.
 */
public final class ExecutorEstimators {
    private static final ConcurrentMap<EstimatorSpec, Estimator> CACHE = new ConcurrentHashMap<>();

    private ExecutorEstimators() {
    }

    public static Estimator get(EstimatorSpec spec) {
        return CACHE.computeIfAbsent(spec, s -> local(s).create());
    }

    /**
     * The files a spec reads (a supernet's checkpoint) travel with {@code SparkContext.addFile} (once per executor, from any Hadoop path);
     * on the executor the estimator reads the local copies.
     */
    static EstimatorSpec local(EstimatorSpec spec) {
        if (SparkEnv.get() == null || spec.filesToShip().isEmpty()) {
            return spec;
        }
        return spec.withLocalFiles(file -> {
            java.io.File copy = new java.io.File(SparkFiles.get(new org.apache.hadoop.fs.Path(file).getName()));
            return copy.isFile() ? copy.getPath() : null;
        });
    }
}
