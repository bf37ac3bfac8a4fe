/**
 * EfficientNet's compound scaling of a base network: coefficients and their grid, the scaled network's size and
 * resolution with stated rounding rules, and single-dimension baselines matched in FLOPs.
 */
package io.sparknas.space.scaling;
