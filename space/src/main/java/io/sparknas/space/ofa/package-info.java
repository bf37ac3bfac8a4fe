/**
 * The Once-for-All space: subnets of an elastic MBConv network (depth per stage, kernel and expand ratio per
 * block), their text, variation operators and exact cost model.
 */
package io.sparknas.space.ofa;
