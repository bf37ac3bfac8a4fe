/** Search spaces and their shared vocabulary: operations, candidates, evaluations, seeded randomness, keys, cell drawings. JDK and Jackson only. */
package io.sparknas.space;
