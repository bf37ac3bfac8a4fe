/**
 * Discrete search strategies behind one ask/tell interface (random, regularized evolution, local search, a GP
 * predictor, REINFORCE): they depend on the space only — no Spark, no DJL, no estimator — and are tested in
 * milliseconds from a seed. Weight-sharing search, which trains networks itself, is the oneshot module.
 */
package io.sparknas.strategies;
