/**
 * DARTS (Liu et al. 2019): bilevel gradient search over the estimators' supernet, and the derivation of a
 * discrete genotype from the architecture weights (pure Java, with a cap on skip connections against collapse).
 */
package io.sparknas.strategies.darts;
