package io.sparknas.strategies;

/**
 * What {@link PredictorSearch} fits to the evaluated architectures: a predicted accuracy and its uncertainty for an
 * architecture's inputs (the encoding, then its cheap scores when there are any, as blocks).
 */
public interface Surrogate {
    /** {mean, standard deviation} of the prediction for one input given in blocks. */
    double[] predict(double[]... blocks);
}
