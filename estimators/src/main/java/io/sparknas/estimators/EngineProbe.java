package io.sparknas.estimators;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.sparknas.estimators.nn.DartsNetwork;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsNetworkConfig;

import java.io.Serializable;

/** Starts the DJL engine and runs one forward pass of a small DARTS network: the smallest proof that training can run here. */
public final class EngineProbe {
    private EngineProbe() {
    }

    /** What the probe saw; {@code outputShape} is {@code (2, 10)} when the forward pass worked. */
    public record Result(String engine, String version, int gpus, String device, String outputShape, long millis,
                         String libtorch) implements Serializable {
    }

    public static Result run() {
        return run(java.util.Optional.empty());
    }

    /** On the GPU Spark assigned to the task, if any (see {@link Devices#choose}). */
    public static Result run(java.util.Optional<String> assignedGpu) {
        long start = System.currentTimeMillis();
        Engine engine = Engine.getInstance();
        Device device = Devices.choose(assignedGpu);
        try (NDManager manager = NDManager.newBaseManager(device)) {
            DartsNetwork net = new DartsNetwork(DartsGenotype.DARTS_V2, new DartsNetworkConfig(1, 28, 10, 8, 3, 3));
            Shape in = new Shape(2, 1, 28, 28);
            net.initialize(manager, DataType.FLOAT32, in);
            NDArray out = net.forward(new ParameterStore(manager, false), new NDList(manager.randomNormal(in)), false)
                    .singletonOrThrow();
            return new Result(engine.getEngineName(), engine.getVersion(), engine.getGpuCount(), device.toString(),
                    out.getShape().toString(), System.currentTimeMillis() - start, Devices.libtorchPath());
        }
    }
}
