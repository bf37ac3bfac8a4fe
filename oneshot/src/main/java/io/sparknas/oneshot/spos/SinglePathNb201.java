package io.sparknas.oneshot.spos;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import io.sparknas.estimators.Torch;
import io.sparknas.oneshot.Norm;
import io.sparknas.oneshot.SupernetWeights;
import io.sparknas.oneshot.Trainable;
import io.sparknas.space.Operation;
import io.sparknas.space.nb201.Nb201Cell;
import io.sparknas.space.nb201.Nb201NetworkConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A single-path supernet of NAS-Bench-201 on DJL arrays: the benchmark's skeleton ({@link Nb201NetworkConfig}: stem,
 * three stages of cells joined by residual reductions, BN-ReLU, pooling, classifier) in which every cell position
 * holds the weights of both convolutions of every edge; a candidate cell selects one operation per edge and is
 * the same at every position, as in the benchmark. A path's forward pass is the plain network of that cell
 * ({@code Nb201Network}) with the supernet's weights: the path's ReLU-conv-BN ops, average pooling without the
 * padded zeros, skip and zero. Every batch normalisation has its own scale and shift per edge and operation;
 * the normalisation itself is the caller's ({@link Norm}: batch statistics in training, recalibrated ones in
 * evaluation). Initialisation comes from one seed ({@link SupernetWeights}). Not thread-safe.
 */
public final class SinglePathNb201 implements Trainable, AutoCloseable {
    private static final int[] FROM = {0, 0, 1, 0, 1, 2};

    private final Nb201NetworkConfig shape;
    private final NDManager manager;
    private final Map<String, NDArray> arrays;

    public SinglePathNb201(Nb201NetworkConfig shape, Device device, long seed) {
        this.shape = shape;
        this.manager = NDManager.newBaseManager(device);
        SupernetWeights w = new SupernetWeights(manager, seed);
        int c = shape.channels();
        w.conv("stem.conv", c, shape.inputChannels(), 3);
        w.bn("stem.bn", c);
        for (int s = 0; s < 3; s++) {
            if (s > 0) {
                c *= 2;
                String r = "reduce" + s + ".";
                w.conv(r + "a.conv", c, c / 2, 3);
                w.bn(r + "a.bn", c);
                w.conv(r + "b.conv", c, c, 3);
                w.bn(r + "b.bn", c);
                w.conv(r + "shortcut", c, c / 2, 1);
            }
            for (int i = 0; i < shape.cellsPerStage(); i++) {
                for (int k = 0; k < Nb201Cell.EDGES; k++) {
                    for (Operation op : List.of(Operation.NOR_CONV_1X1, Operation.NOR_CONV_3X3)) {
                        String p = edge(s, i, k, op);
                        w.conv(p + ".conv", c, c, kernel(op));
                        w.bn(p + ".bn", c);
                    }
                }
            }
        }
        w.bn("last.bn", c);
        w.linear("classifier", shape.classes(), c);
        this.arrays = w.trainable();
    }

    /** The skeleton the supernet was built for. */
    public Nb201NetworkConfig shape() {
        return shape;
    }

    private static String edge(int stage, int cell, int edge, Operation op) {
        return "s" + stage + "c" + cell + "e" + edge + "." + op.text();
    }

    private static int kernel(Operation op) {
        return op == Operation.NOR_CONV_3X3 ? 3 : 1;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public List<NDArray> weights() {
        return new ArrayList<>(arrays.values());
    }

    @Override
    public void zeroGradients() {
        SupernetWeights.zeroGradients(arrays.values());
    }

    /**
     * Which of {@link #weights()} the network of {@code cell} uses: all but the convolutions (and their BN) of the
     * operations the cell does not choose.
     */
    public boolean[] onPath(Nb201Cell cell) {
        boolean[] on = new boolean[arrays.size()];
        int i = 0;
        for (String name : arrays.keySet()) {
            on[i++] = onPath(name, cell);
        }
        return on;
    }

    private static boolean onPath(String name, Nb201Cell cell) {
        if (!name.matches("s\\dc\\d+e\\d\\..*")) {
            return true;
        }
        int k = name.charAt(name.indexOf('e') + 1) - '0';
        return name.startsWith(cell.ops().get(k).text() + ".", name.indexOf('.') + 1);
    }

    /** The supernet's arrays in order, for a checkpoint. */
    public NDList toList() {
        return new NDList(arrays.values());
    }

    /** Loads arrays saved by {@link #toList()} of a supernet of the same shape (the checkpoint checks the shape). */
    public void load(NDList saved) {
        if (saved.size() != arrays.size()) {
            throw new IllegalArgumentException("the checkpoint holds " + saved.size() + " arrays, this supernet "
                    + arrays.size());
        }
        int i = 0;
        try (Torch.NoGrad ng = Torch.noGrad()) {
            for (NDArray a : arrays.values()) {
                NDArray from = saved.get(i++);
                if (!from.getShape().equals(a.getShape())) {
                    throw new IllegalArgumentException("the checkpoint's " + a.getName() + " has shape "
                            + from.getShape() + ", this supernet's " + a.getShape());
                }
                a.muli(0).addi(from.toDevice(a.getDevice(), false));
            }
        }
    }

    /**
     * Logits of the network of {@code cell} for images {@code x} (NCHW, normalised). Every array the pass makes
     * belongs to {@code x}'s manager.
     */
    public NDArray forward(Nb201Cell cell, NDArray x, Norm norm) {
        NDArray h = Conv2d.conv2d(x, array("stem.conv"), null, new Shape(1, 1), new Shape(1, 1)).singletonOrThrow();
        h = bn("stem.bn", h, norm);
        for (int s = 0; s < 3; s++) {
            if (s > 0) {
                h = reduce(s, h, norm);
            }
            for (int i = 0; i < shape.cellsPerStage(); i++) {
                h = cell(s, i, cell, h, norm);
            }
        }
        h = Activation.relu(bn("last.bn", h, norm));
        NDArray pooled = h.mean(new int[] {3}).mean(new int[] {2});
        return Linear.linear(pooled, array("classifier.weight"), array("classifier.bias")).singletonOrThrow();
    }

    private NDArray cell(int s, int i, Nb201Cell cell, NDArray x, Norm norm) {
        NDArray[] nodes = new NDArray[4];
        nodes[0] = x;
        int k = 0;
        for (int to = 1; to < 4; to++) {
            NDArray sum = null;
            for (int from = 0; from < to; from++, k++) {
                NDArray h = op(s, i, k, cell.ops().get(k), nodes[FROM[k]], norm);
                if (h != null) {
                    sum = sum == null ? h : sum.add(h);
                }
            }
            nodes[to] = sum == null ? x.zerosLike() : sum;
        }
        return nodes[3];
    }

    /** The output of edge {@code k}'s operation, or null for {@code none} (a zero the sum leaves out). */
    private NDArray op(int s, int i, int k, Operation op, NDArray x, Norm norm) {
        return switch (op) {
            case NONE -> null;
            case SKIP_CONNECT -> x;
            case AVG_POOL_3X3 -> Pool.avgPool2d(x, new Shape(3, 3), new Shape(1, 1), new Shape(1, 1), false, false);
            case NOR_CONV_1X1, NOR_CONV_3X3 -> {
                String p = edge(s, i, k, op);
                int pad = kernel(op) / 2;
                NDArray h = Conv2d.conv2d(Activation.relu(x), array(p + ".conv"), null, new Shape(1, 1),
                        new Shape(pad, pad)).singletonOrThrow();
                yield bn(p + ".bn", h, norm);
            }
            default -> throw new IllegalArgumentException("'" + op.text() + "' is not a NAS-Bench-201 operation");
        };
    }

    /** The residual reduction: ReLU-conv3x3(stride 2)-BN, ReLU-conv3x3-BN, plus avg-pool and a 1x1 conv. */
    private NDArray reduce(int s, NDArray x, Norm norm) {
        String r = "reduce" + s + ".";
        NDArray a = Conv2d.conv2d(Activation.relu(x), array(r + "a.conv"), null, new Shape(2, 2), new Shape(1, 1))
                .singletonOrThrow();
        a = bn(r + "a.bn", a, norm);
        a = Conv2d.conv2d(Activation.relu(a), array(r + "b.conv"), null, new Shape(1, 1), new Shape(1, 1))
                .singletonOrThrow();
        a = bn(r + "b.bn", a, norm);
        NDArray shortcut = Pool.avgPool2d(x, new Shape(2, 2), new Shape(2, 2), new Shape(0, 0), false, true);
        return a.add(Conv2d.conv2d(shortcut, array(r + "shortcut"), null).singletonOrThrow());
    }

    private NDArray bn(String name, NDArray h, Norm norm) {
        return norm.apply(name, h, array(name + ".gamma"), array(name + ".beta"));
    }

    private NDArray array(String name) {
        return arrays.get(name);
    }

    @Override
    public void close() {
        manager.close();
    }
}
