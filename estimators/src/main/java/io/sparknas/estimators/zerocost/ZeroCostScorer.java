package io.sparknas.estimators.zerocost;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import io.sparknas.estimators.ThreadGradientCollector;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.nn.ReluTap;
import io.sparknas.space.cost.Cost;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Computes zero-cost proxies of one network at its seeded initialisation, each pass on a fresh copy initialised
 * with the same seed (as the reference implementations copy the network per measure):
 * <ul>
 * <li>{@code synflow}: in double precision, all parameters made non-negative, BatchNorm at its initial statistics
 *     (the identity, as the reference's copy without BatchNorm), an all-ones input of one image; the sum over conv
 *     and linear weights of |w * dR/dw| with R the sum of the outputs.</li>
 * <li>{@code naswot}: the log-determinant of the kernel of binary ReLU codes over the batch (Mellor et al.).</li>
 * <li>{@code jacob_cov}: from the correlations of the input gradients of the batch, -sum(log(v + k) + 1/(v + k))
 *     over their eigenvalues v, k = 1e-5.</li>
 * <li>{@code grad_norm}, {@code snip}: the sums over conv and linear weights of ||dL/dw|| and |w * dL/dw| for the
 *     cross-entropy loss of the batch; {@code fisher}: the sum over ReLU inputs a (the reference taps conv and
 *     linear outputs) and channels of mean over the batch of (sum over pixels of a * dL/da)^2 / 2.</li>
 * <li>{@code params}, {@code flops}: the cost model's.</li>
 * </ul>
 * A proxy whose value is not finite, or whose pass throws, is recorded as that proxy's error. Not thread-safe per
 * instance only in that each call owns its arrays; one instance serves every task thread of an executor.
 */
public final class ZeroCostScorer {
    private static final double JACOB_K = 1e-5;

    private final List<ZeroCostProxy> proxies;
    private final Optional<ProxyBatch> batch;

    public ZeroCostScorer(ZeroCostConfig cfg, Optional<ProxyBatch> batch) {
        this.proxies = cfg.parsed();
        this.batch = batch;
        if (cfg.needsData() && batch.isEmpty()) {
            throw new IllegalArgumentException("zero-cost proxies " + cfg.parsed().stream()
                    .filter(ZeroCostProxy::needsData).map(ZeroCostProxy::text).toList()
                    + " need images: configure score.data");
        }
    }

    /**
     * Scores the network {@code network} builds (a new, uninitialised block per call) for inputs of
     * {@code (channels, side, side)}, initialised with {@code seed}.
     */
    public Scores score(Supplier<Block> network, Cost cost, int channels, int side, long seed) {
        Map<String, Double> values = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        Map<ZeroCostProxy.Pass, Set<ZeroCostProxy>> passes = new EnumMap<>(ZeroCostProxy.Pass.class);
        proxies.forEach(p -> passes.computeIfAbsent(p.pass(), k -> EnumSet.noneOf(ZeroCostProxy.class)).add(p));
        Shape one = new Shape(1, channels, side, side);
        for (var pass : passes.entrySet()) {
            long t0 = System.nanoTime();
            Map<ZeroCostProxy, Double> got;
            try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
                got = switch (pass.getKey()) {
                    case COST -> Map.of(ZeroCostProxy.PARAMS, (double) cost.params(), ZeroCostProxy.FLOPS,
                            (double) cost.flops());
                    case SYNFLOW -> Map.of(ZeroCostProxy.SYNFLOW, synflow(m, network.get(), one, seed));
                    case CODES -> Map.of(ZeroCostProxy.NASWOT, naswot(m, network.get(), channels, seed));
                    case INPUT_GRADIENT -> Map.of(ZeroCostProxy.JACOB_COV, jacobCov(m, network.get(), channels, seed));
                    case LOSS_GRADIENT -> lossGradients(m, network.get(), channels, seed);
                };
            } catch (RuntimeException | LinkageError e) {
                got = Map.of();
                String why = e.getClass().getSimpleName() + ": " + e.getMessage();
                pass.getValue().forEach(p -> errors.put(p.text(), why));
            }
            for (ZeroCostProxy p : pass.getValue()) {
                Double v = got.get(p);
                if (v != null && Double.isFinite(v)) {
                    values.put(p.text(), v);
                } else if (v != null) {
                    errors.put(p.text(), "not finite (" + v + ")");
                }
            }
            seconds.put(pass.getKey().name().toLowerCase(java.util.Locale.ROOT), (System.nanoTime() - t0) / 1e9);
        }
        return new Scores(values, errors, seconds);
    }

    private static void initialise(NDManager m, Block block, DataType type, Shape shape, long seed) {
        block.setInitializer(Torch.PYTORCH_DEFAULT_INIT, Parameter.Type.WEIGHT);
        Torch.seeded(seed, () -> block.initialize(m, type, shape));
    }

    /** Conv and linear weights: the parameters the reference's measures sum over. */
    private static List<NDArray> weights(Block block) {
        List<NDArray> out = new ArrayList<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                out.add(p.getValue().getArray());
            }
        }
        return out;
    }

    private static double synflow(NDManager m, Block block, Shape one, long seed) {
        initialise(m, block, DataType.FLOAT64, one, seed);
        try (Torch.NoGrad ignored = Torch.noGrad()) {
            for (Pair<String, Parameter> p : block.getParameters()) {
                NDArray a = p.getValue().getArray();
                a.muli(a.sign());
            }
        }
        ParameterStore ps = new ParameterStore(m, false);
        try (ThreadGradientCollector gc = new ThreadGradientCollector()) {
            NDArray out = block.forward(ps, new NDList(m.ones(one, DataType.FLOAT64)), false).singletonOrThrow();
            gc.backward(out.sum());
        }
        double total = 0;
        for (NDArray w : weights(block)) {
            total += w.mul(w.getGradient()).abs().sum().toType(DataType.FLOAT64, false).getDouble();
        }
        return total;
    }

    private NDArray images(NDManager m, int channels) {
        ProxyBatch b = batch.orElseThrow();
        NDArray x = m.create(b.pixels(), new Shape(b.size(), b.channels(), b.side(), b.side()));
        if (channels != b.channels()) {
            if (b.channels() != 1) {
                throw new IllegalArgumentException("the network takes " + channels + " channels, the images have "
                        + b.channels());
            }
            x = x.tile(new long[] {1, channels, 1, 1});
        }
        return x;
    }

    private double naswot(NDManager m, Block block, int channels, long seed) {
        NDArray x = images(m, channels);
        initialise(m, block, DataType.FLOAT32, x.getShape(), seed);
        int n = (int) x.getShape().get(0);
        double[][] kernel = new double[n][n];
        try (Torch.NoGrad ignored = Torch.noGrad();
             AutoCloseable tap = ReluTap.on(a -> {
                 NDArray c = a.gt(0).toType(DataType.FLOAT32, false).reshape(n, -1);
                 NDArray notC = c.neg().add(1f);
                 float[] k = c.matMul(c.transpose()).add(notC.matMul(notC.transpose())).toFloatArray();
                 for (int i = 0; i < n; i++) {
                     for (int j = 0; j < n; j++) {
                         kernel[i][j] += k[i * n + j];
                     }
                 }
                 return a;
             })) {
            block.forward(new ParameterStore(m, false), new NDList(x), true);
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        return logAbsDeterminant(new Array2DRowRealMatrix(kernel, false));
    }

    private double jacobCov(NDManager m, Block block, int channels, long seed) {
        NDArray x = images(m, channels);
        initialise(m, block, DataType.FLOAT32, x.getShape(), seed);
        x.setRequiresGradient(true);
        try (ThreadGradientCollector gc = new ThreadGradientCollector()) {
            NDArray out = block.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
            gc.backward(out);
        }
        int n = (int) x.getShape().get(0);
        float[] g = x.getGradient().toFloatArray();
        int d = g.length / n;
        double[][] corr = correlations(g, n, d);
        double score = 0;
        for (double v : new EigenDecomposition(new Array2DRowRealMatrix(corr, false)).getRealEigenvalues()) {
            score -= Math.log(v + JACOB_K) + 1 / (v + JACOB_K);
        }
        return score;
    }

    private Map<ZeroCostProxy, Double> lossGradients(NDManager m, Block block, int channels, long seed) {
        NDArray x = images(m, channels);
        ProxyBatch b = batch.orElseThrow();
        initialise(m, block, DataType.FLOAT32, x.getShape(), seed);
        List<NDArray> masks = new ArrayList<>();
        List<NDArray> acts = new ArrayList<>();
        try (ThreadGradientCollector gc = new ThreadGradientCollector();
             AutoCloseable tap = ReluTap.on(a -> {
                 NDArray mask = a.onesLike();
                 mask.setRequiresGradient(true);
                 masks.add(mask);
                 acts.add(a);
                 return a.mul(mask);
             })) {
            NDArray out = block.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
            NDArray loss = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(m.create(b.labels(),
                    new Shape(b.size()))), new NDList(out));
            gc.backward(loss);
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        double gradNorm = 0;
        double snip = 0;
        for (NDArray w : weights(block)) {
            NDArray g = w.getGradient();
            gradNorm += Math.sqrt(g.square().sum().getFloat());
            snip += w.mul(g).abs().sum().getFloat();
        }
        double fisher = 0;
        for (NDArray mask : masks) {
            NDArray perChannel = mask.getGradient().sum(new int[] {2, 3});
            fisher += perChannel.square().mean(new int[] {0}).mul(0.5f).sum().getFloat();
        }
        return Map.of(ZeroCostProxy.GRAD_NORM, gradNorm, ZeroCostProxy.SNIP, snip, ZeroCostProxy.FISHER, fisher);
    }

    /** Pearson correlations of the rows of {@code x} ({@code n} rows of {@code d}), as numpy's corrcoef. */
    static double[][] correlations(float[] x, int n, int d) {
        double[][] centred = new double[n][d];
        double[] norm = new double[n];
        for (int i = 0; i < n; i++) {
            double mean = 0;
            for (int j = 0; j < d; j++) {
                mean += x[i * d + j];
            }
            mean /= d;
            for (int j = 0; j < d; j++) {
                centred[i][j] = x[i * d + j] - mean;
                norm[i] += centred[i][j] * centred[i][j];
            }
            norm[i] = Math.sqrt(norm[i]);
        }
        double[][] corr = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double dot = 0;
                for (int k = 0; k < d; k++) {
                    dot += centred[i][k] * centred[j][k];
                }
                corr[i][j] = corr[j][i] = dot / (norm[i] * norm[j]);
            }
        }
        return corr;
    }

    /** log |det a| from the LU factors (the determinant itself overflows for NASWOT's kernels). */
    static double logAbsDeterminant(RealMatrix a) {
        RealMatrix u = new LUDecomposition(a, 0).getU();
        double sum = 0;
        for (int i = 0; i < u.getRowDimension(); i++) {
            sum += Math.log(Math.abs(u.getEntry(i, i)));
        }
        return sum;
    }
}
