/** The {@code score} sweep kind: zero-cost proxies of a whole space, or of a sample of it, on Spark. */
package io.sparknas.pipeline.score;
