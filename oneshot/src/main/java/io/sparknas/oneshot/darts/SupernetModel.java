package io.sparknas.oneshot.darts;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import io.sparknas.estimators.ThreadGradientCollector;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.training.BatchStats;
import io.sparknas.estimators.training.Divergence;
import io.sparknas.oneshot.Trainable;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.darts.DartsNetworkConfig;

import static io.sparknas.oneshot.StepArrays.scoped;

import java.util.ArrayList;
import java.util.List;

/**
 * A DARTS supernet with its two kinds of parameters: the network weights w and the architecture weights alpha
 * (one matrix edges x operations for normal cells, one for reduction cells). Forward/backward passes on a batch,
 * gradients as arrays of the caller's step manager, and zeroing. The optimisers ({@link io.sparknas.oneshot.WeightOptimizer},
 * {@link Architect}) act on it. Every array a step makes belongs to the {@code step} manager passed in, closed by
 * the caller after the step. Not thread-safe.
 */
final class SupernetModel implements Trainable, AutoCloseable {
    private static final Loss LOSS = Loss.softmaxCrossEntropyLoss();

    private final NDManager manager;
    private final DartsSupernet net;
    private final ParameterStore store;
    private final List<NDArray> weights = new ArrayList<>();
    private final List<NDArray> alphas;
    private final Shape batchShape;
    private final DataType dtype;

    /**
     * Initialises w from libtorch's generator seeded with {@code seed} and alpha as 1e-3 * N(0, 1) from
     * {@code rng}, as DARTS. {@code dtype} is FLOAT32 for searches; a test checks gradients in FLOAT64.
     */
    SupernetModel(DartsSearchConfig cfg, DartsNetworkConfig netCfg, int stemKernel, Shape batchShape, Device device,
                  long seed, SeededRandom rng, DataType dtype) {
        this.batchShape = batchShape;
        this.dtype = dtype;
        net = new DartsSupernet(cfg.ops(), cfg.nodes(), netCfg, stemKernel);
        net.setInitializer(Torch.PYTORCH_DEFAULT_INIT, Parameter.Type.WEIGHT);
        manager = NDManager.newBaseManager(device);
        store = new ParameterStore(manager, false);
        Shape alphaShape = new Shape(DartsSupernet.edges(cfg.nodes()), cfg.ops().size());
        Torch.seeded(seed, () -> net.initialize(manager, dtype, batchShape, alphaShape, alphaShape));
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (p.getValue().requiresGradient()) {
                weights.add(p.getValue().getArray());
            }
        }
        List<NDArray> a = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            float[] init = new float[(int) alphaShape.size()];
            for (int k = 0; k < init.length; k++) {
                init[k] = (float) (1e-3 * rng.nextGaussian());
            }
            NDArray alpha = manager.create(init, alphaShape);
            if (dtype != DataType.FLOAT32) {
                alpha = alpha.toType(dtype, false);
            }
            alpha.setRequiresGradient(true);
            a.add(alpha);
        }
        alphas = List.copyOf(a);
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    Shape batchShape() {
        return batchShape;
    }

    /** The network weights w, in parameter order. */
    @Override
    public List<NDArray> weights() {
        return weights;
    }

    /** alpha of normal (0) and reduction (1) cells. */
    List<NDArray> alphas() {
        return alphas;
    }

    /** Forward and backward pass in training mode on a (images, labels) batch of the search's shape. */
    BatchStats forwardBackward(NDManager step, float[][] batch) {
        try (ThreadGradientCollector gc = new ThreadGradientCollector()) {
            NDArray x = input(step, batch[0], batchShape);
            NDArray y = step.create(batch[1], new Shape(batchShape.get(0)));
            NDArray logits = logits(step, x, true);
            NDArray loss = LOSS.evaluate(new NDList(y), new NDList(logits));
            double l = scalar(loss);
            Divergence.check((float) l, "the search loss");
            gc.backward(loss);
            long correct = logits.argMax(1).toType(DataType.FLOAT32, false).eq(y).sum().getLong();
            return new BatchStats(l, correct, batchShape.get(0));
        } catch (Divergence e) {
            throw new Divergence(e.getMessage() + " (lower darts.learningRate or darts.archLearningRate)");
        }
    }

    /** Summed loss and correct predictions of {@code n} images, in inference mode. */
    BatchStats evaluate(NDManager step, float[] images, float[] labels, Shape shape) {
        NDArray x = input(step, images, shape);
        NDArray y = step.create(labels, new Shape(shape.get(0)));
        NDArray logits = logits(step, x, false);
        double loss = dtype == DataType.FLOAT32
                ? LOSS.evaluate(new NDList(y), new NDList(logits)).getFloat() * shape.get(0)
                : scalar(LOSS.evaluate(new NDList(y), new NDList(logits))) * shape.get(0);
        long correct = logits.argMax(1).toType(DataType.FLOAT32, false).eq(y).sum().getLong();
        return new BatchStats(loss, correct, shape.get(0));
    }

    private NDArray input(NDManager step, float[] images, Shape shape) {
        NDArray x = step.create(images, shape);
        return dtype == DataType.FLOAT32 ? x : x.toType(dtype, false);
    }

    /** A scalar loss: float32 read as float, as the searches always have; float64 at full precision. */
    private double scalar(NDArray a) {
        return dtype == DataType.FLOAT32 ? a.getFloat() : a.getDouble();
    }

    private NDArray logits(NDManager step, NDArray x, boolean training) {
        NDArray wn = scoped(step, alphas.get(0).softmax(-1));
        NDArray wr = scoped(step, alphas.get(1).softmax(-1));
        return net.forward(store, new NDList(x, wn, wr), training).singletonOrThrow();
    }

    @Override
    public void zeroGradients() {
        for (NDArray p : weights) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
        for (NDArray a : alphas) {
            JniUtils.zeroGrad((PtNDArray) a);
        }
    }

    /** Sets the weights to {@code base + scale * direction}. */
    void setWeights(List<NDArray> base, List<NDArray> direction, double scale) {
        for (int i = 0; i < weights.size(); i++) {
            NDArray p = weights.get(i);
            p.muli(0f).addi(base.get(i));
            if (scale != 0) {
                p.addi(direction.get(i).mul(scale));
            }
        }
    }

    /** alpha of normal (0) or reduction (1) cells as a matrix. */
    double[][] alpha(int cellType) {
        NDArray a = alphas.get(cellType);
        int rows = (int) a.getShape().get(0);
        int cols = (int) a.getShape().get(1);
        double[] f = dtype == DataType.FLOAT32 ? toDoubles(a.toFloatArray()) : a.toDoubleArray();
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                m[i][j] = f[i * cols + j];
            }
        }
        return m;
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Override
    public void close() {
        manager.close();
    }
}
