/** Benchmark harnesses whose results are recorded in docs/benchmarks.md. */
package io.sparknas.jobs.bench;
