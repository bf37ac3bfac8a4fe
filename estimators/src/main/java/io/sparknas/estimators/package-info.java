/**
 * Performance estimation: the {@link io.sparknas.estimators.Estimator} contract and its
 * {@link io.sparknas.estimators.EvaluationContext}, the sealed {@code spec.EstimatorSpec} that
 * executors build estimators from, device choice, an engine probe. Knows the space and DJL; never Spark.
 */
package io.sparknas.estimators;
