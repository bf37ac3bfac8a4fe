/** Compound scaling's stages as candidates: the coefficient grid at phi = 1, then phi = 1..N against baselines. */
package io.sparknas.strategies.scaling;
