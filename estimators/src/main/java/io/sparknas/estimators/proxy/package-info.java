/** Proxy training with DJL: the trainer shared with the benchmarks and the estimator that turns a candidate into an evaluation. */
package io.sparknas.estimators.proxy;
