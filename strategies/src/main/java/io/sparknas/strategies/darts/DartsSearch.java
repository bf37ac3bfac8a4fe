package io.sparknas.strategies.darts;

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
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.data.ImageSet;
import io.sparknas.estimators.supernet.DartsSupernet;
import io.sparknas.space.SeededRandom;
import io.sparknas.space.darts.DartsGenotype;
import io.sparknas.space.darts.DartsNetworkConfig;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * DARTS's bilevel search on the estimators' {@link DartsSupernet}: every step first moves the architecture
 * weights alpha (Adam) on a validation batch, then the network weights w (SGD) on a training batch, as DARTS's
 * {@code train_search.py}. The architecture gradient is first-order (dL_val/dalpha at the current w) or
 * second-order (through the unrolled weights, with the finite-difference Hessian-vector product of DARTS's
 * {@code architect.py}). Optimisers are written out on DJL arrays so the unrolled step can reuse SGD's
 * momentum buffer; their formulas are PyTorch's ({@code torch.optim.SGD} and {@code Adam} with L2 weight decay).
 *
 * <p>Deterministic from {@code cfg.seed()}: weights, alpha's initial values (1e-3 * N(0, 1) as DARTS) and the
 * batch order all come from it. Not thread-safe; several searches may run at once in different threads.
 */
public final class DartsSearch implements AutoCloseable {
    private static final int EVAL_BATCH = 256;
    private static final Loss LOSS = Loss.softmaxCrossEntropyLoss();

    /** What one epoch of search produced; {@code alpha*} are the raw architecture parameters (edges x ops). */
    public record Epoch(int epoch, double learningRate, double trainLoss, double trainAccuracy,
                        double validationLoss, double validationAccuracy, double seconds,
                        double[][] alphaNormal, double[][] alphaReduce, DartsGenotype genotype,
                        DartsGenotype unguarded) implements Serializable {
    }

    /** A non-finite loss: the search diverged. */
    public static final class Divergence extends RuntimeException {
        Divergence(String message) {
            super(message);
        }
    }

    private final DartsSearchConfig cfg;
    private final Datasets.Split data;
    private final NDManager manager;
    private final DartsSupernet net;
    private final ParameterStore store;
    private final List<NDArray> weights = new ArrayList<>();
    private final NDArray[] momentum;
    private final NDArray[] alphas;
    private final NDArray[] adamM;
    private final NDArray[] adamV;
    private final SeededRandom rng;
    private final Shape batchShape;
    private int adamSteps;
    private NDManager scope; // the current step's arrays

    public DartsSearch(DartsSearchConfig cfg, Datasets.Split data, Device device) {
        this(cfg, data, device, 3);
    }

    /** With a {@code stemKernel} stem (see {@link DartsSupernet}); tests use 1. */
    DartsSearch(DartsSearchConfig cfg, Datasets.Split data, Device device, int stemKernel) {
        this.cfg = cfg;
        this.data = data;
        Torch.pinThreads(cfg.torchThreads());
        ImageSet train = data.train();
        int batch = Math.min(cfg.batchSize(), Math.min(train.size(), data.validation().size()));
        batchShape = new Shape(batch, train.channels(), train.height(), train.width());
        DartsNetworkConfig netCfg = new DartsNetworkConfig(train.channels(), train.height(), train.classes(),
                cfg.channels(), cfg.layers(), cfg.stemMultiplier());
        net = new DartsSupernet(cfg.ops(), cfg.nodes(), netCfg, stemKernel);
        net.setInitializer(Torch.PYTORCH_DEFAULT_INIT, Parameter.Type.WEIGHT);
        manager = NDManager.newBaseManager(device);
        store = new ParameterStore(manager, false);
        Shape alphaShape = new Shape(DartsSupernet.edges(cfg.nodes()), cfg.ops().size());
        Torch.seeded(cfg.seed(), () -> net.initialize(manager, DataType.FLOAT32, batchShape, alphaShape, alphaShape));
        for (Pair<String, Parameter> p : net.getParameters()) {
            if (p.getValue().requiresGradient()) {
                weights.add(p.getValue().getArray());
            }
        }
        momentum = new NDArray[weights.size()];
        rng = new SeededRandom(cfg.seed());
        alphas = new NDArray[2];
        adamM = new NDArray[2];
        adamV = new NDArray[2];
        for (int i = 0; i < 2; i++) {
            float[] init = new float[(int) alphaShape.size()];
            for (int k = 0; k < init.length; k++) {
                init[k] = (float) (1e-3 * rng.nextGaussian());
            }
            alphas[i] = manager.create(init, alphaShape);
            alphas[i].setRequiresGradient(true);
            adamM[i] = manager.zeros(alphaShape);
            adamV[i] = manager.zeros(alphaShape);
        }
    }

    /** Runs all epochs; {@code perEpoch} sees each epoch's record as it completes. */
    public List<Epoch> run(Consumer<Epoch> perEpoch) {
        List<Epoch> epochs = new ArrayList<>();
        ImageSet train = data.train();
        ImageSet val = data.validation();
        int batch = (int) batchShape.get(0);
        int steps = train.size() / batch;
        int[] valOrder = rng.permutation(val.size());
        int valPos = 0;
        for (int epoch = 1; epoch <= cfg.epochs(); epoch++) {
            long t0 = System.nanoTime();
            double lr = cfg.learningRateMin() + (cfg.learningRate() - cfg.learningRateMin())
                    * (1 + Math.cos(Math.PI * (epoch - 1) / cfg.epochs())) / 2;
            int[] order = rng.permutation(train.size());
            double lossSum = 0;
            double correct = 0;
            for (int s = 0; s < steps; s++) {
                if (valPos + batch > val.size()) {
                    valOrder = rng.permutation(val.size());
                    valPos = 0;
                }
                int[] vi = Arrays.copyOfRange(valOrder, valPos, valPos + batch);
                valPos += batch;
                int[] ti = Arrays.copyOfRange(order, s * batch, (s + 1) * batch);
                float[][] trainBatch = {train.batch(ti, data.normalization()), train.labelBatch(ti)};
                float[][] valBatch = {val.batch(vi, data.normalization()), val.labelBatch(vi)};
                try (NDManager m = manager.newSubManager()) {
                    scope = m;
                    architectureStep(valBatch, trainBatch, lr);
                    double[] r = weightStep(trainBatch, lr);
                    lossSum += r[0];
                    correct += r[1];
                } finally {
                    scope = null;
                }
            }
            double[] v = evaluate(val);
            double[][] an = toMatrix(alphas[0]);
            double[][] ar = toMatrix(alphas[1]);
            double[][] wn = softmax(an);
            double[][] wr = softmax(ar);
            Epoch e = new Epoch(epoch, lr, lossSum / steps, correct / ((double) steps * batch), v[1], v[0],
                    (System.nanoTime() - t0) / 1e9, an, ar,
                    Derivation.genotype(wn, wr, cfg.ops(), cfg.nodes(), cfg.maxSkips()),
                    Derivation.genotype(wn, wr, cfg.ops(), cfg.nodes(), -1));
            epochs.add(e);
            perEpoch.accept(e);
        }
        return epochs;
    }

    /** One SGD step on w; returns the batch's loss and correct predictions. */
    double[] weightStep(float[][] batch, double lr) {
        double[] r = forwardBackward(batch);
        try (Torch.NoGrad ng = Torch.noGrad()) {
            synchronized (Torch.UPDATE_LOCK) {
                List<NDArray> g = gradients(weights);
                clip(g);
                for (int i = 0; i < weights.size(); i++) {
                    NDArray p = weights.get(i);
                    NDArray d = g.get(i);
                    if (cfg.weightDecay() > 0) {
                        d.addi(scoped(p.mul(cfg.weightDecay())));
                    }
                    if (momentum[i] == null) {
                        momentum[i] = d.duplicate();
                        momentum[i].attach(manager);
                    } else {
                        momentum[i].muli(cfg.momentum()).addi(d);
                    }
                    p.subi(scoped(momentum[i].mul(lr)));
                }
                zeroGradients();
            }
        }
        return r;
    }

    /** One Adam step on alpha from a validation batch (and, second-order, the training batch). */
    void architectureStep(float[][] valBatch, float[][] trainBatch, double lr) {
        List<NDArray> alphaGrad = cfg.order() == 1 ? firstOrder(valBatch) : secondOrder(valBatch, trainBatch, lr);
        adam(alphaGrad);
    }

    /** dL_val/dalpha at the current weights. */
    List<NDArray> firstOrder(float[][] valBatch) {
        forwardBackward(valBatch);
        try (Torch.NoGrad ng = Torch.noGrad()) {
            List<NDArray> g = copies(gradients(List.of(alphas)));
            zeroGradients();
            return g;
        }
    }

    /**
     * DARTS's unrolled gradient: dL_val(w', alpha)/dalpha - lr * (dL_train(w+, alpha)/dalpha - dL_train(w-, alpha)
     * /dalpha) / 2R, with w' = w - lr * (momentum * buffer + dL_train/dw + wd * w), w+- = w +- R dL_val(w')/dw' and
     * R = 0.01 / |dL_val(w')/dw'|.
     */
    List<NDArray> secondOrder(float[][] valBatch, float[][] trainBatch, double lr) {
        forwardBackward(trainBatch);
        List<NDArray> saved;
        try (Torch.NoGrad ng = Torch.noGrad()) {
            List<NDArray> gTrain = copies(gradients(weights));
            zeroGradients();
            saved = copies(weights);
            for (int i = 0; i < weights.size(); i++) {
                NDArray p = weights.get(i);
                NDArray d = gTrain.get(i);
                if (momentum[i] != null) {
                    d.addi(scoped(momentum[i].mul(cfg.momentum())));
                }
                d.addi(scoped(p.mul(cfg.weightDecay())));
                p.subi(d.muli(lr));
            }
        }
        forwardBackward(valBatch);
        List<NDArray> dAlpha;
        List<NDArray> dW;
        double r;
        try (Torch.NoGrad ng = Torch.noGrad()) {
            dAlpha = copies(gradients(List.of(alphas)));
            dW = copies(gradients(weights));
            zeroGradients();
            r = 0.01 / Math.sqrt(squaredNorm(dW));
            set(saved, dW, r);
        }
        forwardBackward(trainBatch);
        List<NDArray> plus;
        try (Torch.NoGrad ng = Torch.noGrad()) {
            plus = copies(gradients(List.of(alphas)));
            zeroGradients();
            set(saved, dW, -r);
        }
        forwardBackward(trainBatch);
        try (Torch.NoGrad ng = Torch.noGrad()) {
            List<NDArray> minus = gradients(List.of(alphas));
            for (int i = 0; i < alphas.length; i++) {
                dAlpha.get(i).subi(plus.get(i).subi(minus.get(i)).muli(lr / (2 * r)));
            }
            zeroGradients();
            set(saved, dW, 0);
            return dAlpha;
        }
    }

    /** Sets the weights to {@code base + scale * direction}. */
    private void set(List<NDArray> base, List<NDArray> direction, double scale) {
        for (int i = 0; i < weights.size(); i++) {
            NDArray p = weights.get(i);
            p.muli(0f).addi(base.get(i));
            if (scale != 0) {
                p.addi(direction.get(i).mul(scale));
            }
        }
    }

    private void adam(List<NDArray> grads) {
        try (Torch.NoGrad ng = Torch.noGrad()) {
            synchronized (Torch.UPDATE_LOCK) {
                adamSteps++;
                double b1 = cfg.archBeta1();
                double b2 = cfg.archBeta2();
                double c1 = 1 - Math.pow(b1, adamSteps);
                double c2 = 1 - Math.pow(b2, adamSteps);
                for (int i = 0; i < alphas.length; i++) {
                    NDArray g = grads.get(i);
                    if (cfg.archWeightDecay() > 0) {
                        g.addi(scoped(alphas[i].mul(cfg.archWeightDecay())));
                    }
                    adamM[i].muli(b1).addi(g.mul(1 - b1));
                    adamV[i].muli(b2).addi(g.square().muli(1 - b2));
                    NDArray denom = scoped(adamV[i].sqrt()).divi(Math.sqrt(c2)).addi(1e-8);
                    alphas[i].subi(scoped(adamM[i].mul(cfg.archLearningRate() / c1)).divi(denom));
                }
            }
        }
    }

    /** Forward and backward pass in training mode; returns the loss and the number of correct predictions. */
    private double[] forwardBackward(float[][] batch) {
        try (ThreadGradientCollector gc = new ThreadGradientCollector()) {
            NDArray x = scope.create(batch[0], batchShape);
            NDArray y = scope.create(batch[1], new Shape(batchShape.get(0)));
            NDArray logits = logits(x, true);
            NDArray loss = LOSS.evaluate(new NDList(y), new NDList(logits));
            float l = loss.getFloat();
            if (!Float.isFinite(l)) {
                throw new Divergence("the search loss became " + l + " (lower darts.learningRate or "
                        + "darts.archLearningRate)");
            }
            gc.backward(loss);
            long correct = logits.argMax(1).toType(DataType.FLOAT32, false).eq(y).sum().getLong();
            return new double[] {l, correct};
        }
    }

    private NDArray logits(NDArray x, boolean training) {
        NDArray wn = scoped(alphas[0].softmax(-1));
        NDArray wr = scoped(alphas[1].softmax(-1));
        return net.forward(store, new NDList(x, wn, wr), training).singletonOrThrow();
    }

    /** Accuracy and mean loss of the supernet on a whole set, in inference mode. */
    private double[] evaluate(ImageSet set) {
        double correct = 0;
        double lossSum = 0;
        try (Torch.NoGrad ng = Torch.noGrad()) {
            for (int from = 0; from < set.size(); from += EVAL_BATCH) {
                int n = Math.min(EVAL_BATCH, set.size() - from);
                int[] idx = new int[n];
                for (int i = 0; i < n; i++) {
                    idx[i] = from + i;
                }
                try (NDManager m = manager.newSubManager()) {
                    scope = m;
                    NDArray x = m.create(set.batch(idx, data.normalization()),
                            new Shape(n, set.channels(), set.height(), set.width()));
                    NDArray y = m.create(set.labelBatch(idx), new Shape(n));
                    NDArray logits = logits(x, false);
                    lossSum += LOSS.evaluate(new NDList(y), new NDList(logits)).getFloat() * n;
                    correct += logits.argMax(1).toType(DataType.FLOAT32, false).eq(y).sum().getLong();
                } finally {
                    scope = null;
                }
            }
        }
        return new double[] {correct / set.size(), lossSum / set.size()};
    }

    /** The gradients of {@code arrays}, as arrays of the current step. */
    private List<NDArray> gradients(List<NDArray> arrays) {
        List<NDArray> g = new ArrayList<>(arrays.size());
        for (NDArray a : arrays) {
            g.add(scoped(a.getGradient()));
        }
        return g;
    }

    private List<NDArray> copies(List<NDArray> arrays) {
        List<NDArray> c = new ArrayList<>(arrays.size());
        for (NDArray a : arrays) {
            c.add(scoped(a.duplicate()));
        }
        return c;
    }

    private void zeroGradients() {
        for (NDArray p : weights) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
        for (NDArray a : alphas) {
            JniUtils.zeroGrad((PtNDArray) a);
        }
    }

    /** Scales the gradients to a global norm of at most {@code gradClip}, as torch's clip_grad_norm_. */
    private void clip(List<NDArray> grads) {
        if (cfg.gradClip() <= 0) {
            return;
        }
        double norm = Math.sqrt(squaredNorm(grads));
        double coef = cfg.gradClip() / (norm + 1e-6);
        if (coef < 1) {
            for (NDArray g : grads) {
                g.muli(coef);
            }
        }
    }

    private double squaredNorm(List<NDArray> arrays) {
        double s = 0;
        for (NDArray a : arrays) {
            s += a.square().sum().getFloat();
        }
        return s;
    }

    private NDArray scoped(NDArray a) {
        a.attach(scope);
        return a;
    }

    /** The current alpha of normal (0) or reduction (1) cells. */
    double[][] alpha(int cellType) {
        return toMatrix(alphas[cellType]);
    }

    /**
     * Norms of the gradients that one training-mode pass over {@code batch} gives alpha and w; the gradients are
     * zeroed again (tests: both must be reached).
     */
    double[] gradientNorms(float[][] batch) {
        try (NDManager m = manager.newSubManager()) {
            scope = m;
            forwardBackward(batch);
            try (Torch.NoGrad ng = Torch.noGrad()) {
                double[] norms = {Math.sqrt(squaredNorm(gradients(List.of(alphas)))),
                        Math.sqrt(squaredNorm(gradients(weights)))};
                zeroGradients();
                return norms;
            }
        } finally {
            scope = null;
        }
    }

    /** The architecture gradient of {@code order} on fixed batches, flattened (normal then reduce), not applied. */
    double[] architectureGradient(int order, float[][] valBatch, float[][] trainBatch, double lr) {
        try (NDManager m = manager.newSubManager()) {
            scope = m;
            List<NDArray> g = order == 1 ? firstOrder(valBatch) : secondOrder(valBatch, trainBatch, lr);
            float[] a = g.get(0).toFloatArray();
            float[] b = g.get(1).toFloatArray();
            double[] flat = new double[a.length + b.length];
            for (int i = 0; i < a.length; i++) {
                flat[i] = a[i];
            }
            for (int i = 0; i < b.length; i++) {
                flat[a.length + i] = b[i];
            }
            return flat;
        } finally {
            scope = null;
        }
    }

    /** A training batch of the search's shape from {@code set}'s images {@code idx}. */
    float[][] batch(ImageSet set, int[] idx) {
        return new float[][] {set.batch(idx, data.normalization()), set.labelBatch(idx)};
    }

    private static double[][] toMatrix(NDArray a) {
        int rows = (int) a.getShape().get(0);
        int cols = (int) a.getShape().get(1);
        float[] f = a.toFloatArray();
        double[][] m = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                m[i][j] = f[i * cols + j];
            }
        }
        return m;
    }

    /** Row-wise softmax. */
    public static double[][] softmax(double[][] alpha) {
        double[][] w = new double[alpha.length][];
        for (int i = 0; i < alpha.length; i++) {
            double max = Arrays.stream(alpha[i]).max().orElse(0);
            double[] e = Arrays.stream(alpha[i]).map(v -> Math.exp(v - max)).toArray();
            double sum = Arrays.stream(e).sum();
            w[i] = Arrays.stream(e).map(v -> v / sum).toArray();
        }
        return w;
    }

    @Override
    public void close() {
        manager.close();
    }
}
