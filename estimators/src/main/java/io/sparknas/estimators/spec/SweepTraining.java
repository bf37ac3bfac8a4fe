package io.sparknas.estimators.spec;

import ai.djl.Device;

import java.io.Serializable;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * What an estimator must train once for the whole sweep before it scores any candidate: a weight-sharing
 * supernet. The pipeline runs {@link #train} in one Spark task, stores the bytes under the sweep's
 * {@code supernet/} (a rerun finds them and does not train again), ships them to every executor and evaluates
 * with {@link #trained}'s spec; the pipeline never needs to know what is trained.
 */
public interface SweepTraining extends Serializable {

    /** The file's name under the sweep's {@code supernet/}. */
    String fileName();

    /**
     * Trains on {@code device} (the task's), reporting each epoch's metrics ({@code epoch}, from 1); returns the
     * checkpoint's bytes.
     */
    byte[] train(Device device, BiConsumer<Integer, Map<String, Double>> epochs);

    /** The estimator's spec reading the trained checkpoint at {@code checkpoint}. */
    EstimatorSpec trained(String checkpoint);
}
