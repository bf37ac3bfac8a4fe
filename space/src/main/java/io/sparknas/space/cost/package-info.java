/** Analytic parameter and multiply-add counts shared by the spaces' cost models. */
package io.sparknas.space.cost;
