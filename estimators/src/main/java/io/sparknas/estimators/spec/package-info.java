/**
 * How to build each kind of estimator: the sealed {@link io.sparknas.estimators.spec.EstimatorSpec} and one record
 * per kind, bound from the configuration's {@code estimator} section and shipped to executors.
 */
package io.sparknas.estimators.spec;
