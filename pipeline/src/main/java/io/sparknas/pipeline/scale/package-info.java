/** The scale kind: EfficientNet's compound-scaling grid, then the base scaled by each method at matched FLOPs. */
package io.sparknas.pipeline.scale;
