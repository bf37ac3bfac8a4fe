/** REINFORCE over decision sequences: the LSTM controller (DJL, on the driver) and the factorized policy. */
package io.sparknas.strategies.controller;
