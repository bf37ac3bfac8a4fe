/** Discrete search strategies behind one ask/tell interface; no Spark, no DJL. */
package io.sparknas.strategies;
