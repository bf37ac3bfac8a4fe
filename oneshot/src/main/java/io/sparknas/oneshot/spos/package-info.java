/**
 * Single-path one-shot search (Guo et al., SPOS; Bender et al.; Li &amp; Talwalkar's random search with weight
 * sharing): one supernet holding every operation of every edge, trained with one uniformly drawn path per step,
 * from which discrete candidates are scored with inherited weights and recalibrated batch normalisation.
 */
package io.sparknas.oneshot.spos;
