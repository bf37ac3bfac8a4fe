/** Performance estimation: the Estimator interface, how executors build one (EstimatorSpec), device choice, an engine probe. */
package io.sparknas.estimators;
