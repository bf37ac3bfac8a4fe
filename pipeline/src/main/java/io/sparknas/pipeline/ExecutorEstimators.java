package io.sparknas.pipeline;

import io.sparknas.estimators.Estimator;
import io.sparknas.estimators.spec.EstimatorSpec;

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
        return CACHE.computeIfAbsent(spec, EstimatorSpec::create);
    }
}
