package io.sparknas.oneshot.ofa;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.sparknas.estimators.nn.OfaNetwork;
import io.sparknas.space.ofa.OfaSubnet;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * A subnet cut out of the supernet as a plain DJL network ({@link OfaNetwork}) that runs without it: its kept
 * weights, transformed kernels and recalibrated BN statistics copied into the network's parameters.
 */
public final class Standalone {
    private Standalone() {
    }

    /** The plain network of {@code net} with the supernet's weights, initialised on {@code manager}. */
    public static OfaNetwork of(ElasticSupernet supernet, OfaSubnet net, Norm.Statistics stats, NDManager manager) {
        OfaNetwork block = new OfaNetwork(supernet.space(), net, supernet.classes());
        block.initialize(manager, DataType.FLOAT32, new Shape(1, supernet.inputChannels(), 32, 32));
        try (NDManager scope = manager.newSubManager()) {
            List<NDArray> cut = supernet.cut(net, stats, scope);
            int i = 0;
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray target = p.getValue().getArray();
                NDArray from = cut.get(i++);
                if (!target.getShape().equals(from.getShape())) {
                    throw new IllegalStateException("parameter " + p.getKey() + " of shape " + target.getShape()
                            + " cannot take the supernet's " + from.getShape());
                }
                target.set(FloatBuffer.wrap(from.toFloatArray()));
            }
            if (i != cut.size()) {
                throw new IllegalStateException("the network has " + i + " parameters, the cut " + cut.size());
            }
        }
        return block;
    }
}
