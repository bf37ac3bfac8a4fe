/** The profile kind: a latency table of a space's operations on the executors' device, checked end to end. */
package io.sparknas.pipeline.profile;
