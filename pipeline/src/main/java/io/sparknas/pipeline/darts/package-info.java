/** The darts kind: differentiable searches as Spark tasks, their derived genotypes trained and compared. */
package io.sparknas.pipeline.darts;
