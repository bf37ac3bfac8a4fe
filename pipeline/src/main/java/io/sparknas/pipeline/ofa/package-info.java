/** The ofa kind: an elastic supernet trained by progressive shrinking, subnets searched per FLOP budget. */
package io.sparknas.pipeline.ofa;
