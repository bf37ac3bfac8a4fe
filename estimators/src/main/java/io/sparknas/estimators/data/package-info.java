/** Datasets from files: IDX (MNIST, Fashion-MNIST), CIFAR-10 binary batches; deterministic per-class subsets. */
package io.sparknas.estimators.data;
