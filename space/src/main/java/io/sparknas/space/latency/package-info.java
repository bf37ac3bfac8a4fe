/** Latency lookup tables: the operation instances a network runs, and a predictor that sums their latencies. */
package io.sparknas.space.latency;
