/** The NAS-Bench-201 cell space: cells and their string form, variation, functional and benchmark keys, encodings, cost model. */
package io.sparknas.space.nb201;
