/** Weight-sharing supernets: the DARTS cell space with every edge a softmax-weighted mixture of all operations. */
package io.sparknas.estimators.supernet;
