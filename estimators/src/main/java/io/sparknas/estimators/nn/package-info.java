/** DJL blocks built from genotypes: DARTS and NAS-Bench-201 operations, cells and networks (NCHW). */
package io.sparknas.estimators.nn;
