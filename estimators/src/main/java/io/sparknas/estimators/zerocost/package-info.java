/**
 * Zero-cost proxies: scores of a network at initialisation, no training (Abdelfattah et al., ICLR 2021; Mellor et
 * al.'s NASWOT), computed with DJL on an executor, and what they need (a seeded batch of images).
 */
package io.sparknas.estimators.zerocost;
