/**
 * DARTS (Liu et al. 2019): the supernet of mixed operations ({@link io.sparknas.oneshot.darts.DartsSupernet}), the
 * bilevel search ({@link io.sparknas.oneshot.darts.DartsSearch}) with its weight optimiser and its
 * {@link io.sparknas.oneshot.darts.Architect} (first- and second-order architecture steps). The derivation of a
 * genotype from alpha is pure Java and lives in the space ({@code io.sparknas.space.darts.Derivation}).
 */
package io.sparknas.oneshot.darts;
