/**
 * Multi-fidelity schedulers (successive halving, Hyperband, promotion-type ASHA): which candidate trains to which
 * rung next, decided on the driver from the results so far, in pure Java. The pipeline runs their decisions on Spark;
 * the simulator runs the same code against recorded learning curves.
 */
package io.sparknas.strategies.fidelity;
