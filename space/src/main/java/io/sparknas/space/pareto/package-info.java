/** Multi-objective search's shared pieces: Pareto dominance, non-dominated sorting, crowding, hypervolume. */
package io.sparknas.space.pareto;
