/**
 * The policies that {@link io.sparknas.strategies.ReinforceSearch} trains: the LSTM controller and the factorized
 * policy over a space's decision sequences, pure Java (double precision, back-propagation through time written out).
 */
package io.sparknas.strategies.controller;
