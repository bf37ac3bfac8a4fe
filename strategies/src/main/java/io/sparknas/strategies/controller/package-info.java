/** REINFORCE over decision sequences: the LSTM controller and the factorized policy, pure Java. */
package io.sparknas.strategies.controller;
