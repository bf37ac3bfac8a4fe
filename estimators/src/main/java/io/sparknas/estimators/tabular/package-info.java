/** The NAS-Bench-201 table and the estimator that looks candidates up in it. */
package io.sparknas.estimators.tabular;
