/** The DARTS cell space: genotypes, DARTS's text and JSON forms, variation, canonical keys, the network cost model. */
package io.sparknas.space.darts;
