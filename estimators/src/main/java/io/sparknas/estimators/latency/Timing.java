package io.sparknas.estimators.latency;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.nn.DartsNetwork;
import io.sparknas.estimators.nn.Nb201Network;
import io.sparknas.estimators.nn.Ops;
import io.sparknas.space.Operation;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsNetworkConfig;
import io.sparknas.space.latency.OpInstance;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201NetworkConfig;

import java.util.Arrays;

/**
 * Inference latency on this device at batch 1, as a latency table records it: {@code warmup} untimed passes, then
 * {@code repeats} timed ones; the median and the 10th and 90th percentiles in milliseconds.
 */
public final class Timing {
    /** Median and spread of the timed passes. */
    public record Result(double medianMs, double p10Ms, double p90Ms, int repeats) implements java.io.Serializable {
    }

    private Timing() {
    }

    /** Times one operation instance of a NAS-Bench-201 cell. */
    public static Result nb201Op(OpInstance op, Device device, int warmup, int repeats) {
        Block block = Ops.nb201(Operation.fromText(op.op()), op.channelsOut());
        return block(block, new Shape(1, op.channelsIn(), op.size(), op.size()), device, warmup, repeats);
    }

    /** Times a whole NAS-Bench-201 network end to end. */
    public static Result nb201Network(Nb201Cell cell, Nb201NetworkConfig cfg, Device device, int warmup, int repeats) {
        return block(new Nb201Network(cell, cfg), new Shape(1, cfg.inputChannels(), cfg.inputSize(), cfg.inputSize()),
                device, warmup, repeats);
    }

    /**
     * The harness's own cost: an identity block on a 1x1x1x1 input, timed as any instance is (a sub-manager, a copy
     * of the input, a forward call, reading the result). A table subtracts it from each instance, so that an entry is
     * what the operation adds inside a network, where the harness's cost is paid once.
     */
    public static Result overhead(Device device, int warmup, int repeats) {
        return block(io.sparknas.estimators.nn.FunctionBlock.identity(), new Shape(1, 1, 1, 1), device, warmup,
                repeats);
    }

    /** Times one operation instance of a DARTS cell (its stride included). */
    public static Result dartsOp(OpInstance op, Device device, int warmup, int repeats) {
        Block block = Ops.darts(Operation.fromText(op.op()), op.channelsOut(), op.stride());
        return block(block, new Shape(1, op.channelsIn(), op.size(), op.size()), device, warmup, repeats);
    }

    /** Times a whole DARTS network end to end. */
    public static Result dartsNetwork(DartsGenotype genotype, DartsNetworkConfig cfg, Device device, int warmup,
                                      int repeats) {
        return block(new DartsNetwork(genotype, cfg), new Shape(1, cfg.inputChannels(), cfg.inputSize(),
                cfg.inputSize()), device, warmup, repeats);
    }

    /** Times {@code block}'s forward pass on random inputs of {@code input}, in inference mode. */
    public static Result block(Block block, Shape input, Device device, int warmup, int repeats) {
        if (repeats < 1 || warmup < 0) {
            throw new IllegalArgumentException("repeats must be >= 1 and warmup >= 0");
        }
        try (NDManager manager = NDManager.newBaseManager(device); Torch.NoGrad ng = Torch.noGrad()) {
            block.initialize(manager, DataType.FLOAT32, input);
            ParameterStore store = new ParameterStore(manager, false);
            SeededRandom rng = new SeededRandom(1);
            float[] x = new float[(int) input.size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) rng.nextGaussian();
            }
            NDArray in = manager.create(x, input);
            double[] times = new double[repeats];
            for (int r = -warmup; r < repeats; r++) {
                long t0 = System.nanoTime();
                try (NDManager step = manager.newSubManager()) {
                    NDArray xs = in.duplicate();
                    xs.attach(step);
                    NDArray out = block.forward(store, new NDList(xs), false).singletonOrThrow();
                    out.toFloatArray(); // waits for the result (and copies it back from a GPU)
                }
                if (r >= 0) {
                    times[r] = (System.nanoTime() - t0) / 1e6;
                }
            }
            Arrays.sort(times);
            return new Result(times[repeats / 2], times[(int) Math.floor(0.1 * (repeats - 1))],
                    times[(int) Math.ceil(0.9 * (repeats - 1))], repeats);
        }
    }
}
