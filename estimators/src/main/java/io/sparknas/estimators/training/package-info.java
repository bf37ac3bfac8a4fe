/**
 * What every DJL training loop of sparknas shares: the SGD settings, per-batch statistics, the divergence check.
 * Used by proxy training (estimators) and by the weight-sharing searches (oneshot).
 */
package io.sparknas.estimators.training;
