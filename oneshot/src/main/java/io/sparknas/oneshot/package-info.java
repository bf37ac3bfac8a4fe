/**
 * Weight-sharing search, where the search itself trains a network: DARTS today, Once-for-All and latency-aware
 * DARTS next. Knows the space, the estimators (datasets, DJL building blocks, training helpers) and DJL; never Spark.
 */
package io.sparknas.oneshot;
