package io.sparknas.oneshot.darts;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparknas.oneshot.StepArrays;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The latency term of latency-aware DARTS (FBNet, ProxylessNAS): the supernet's expected latency
 * {@code E[lat] = sum over edges and operations of softmax(alpha) * table}, where the table matrices (edges x
 * operations, one per cell type) hold the lookup table's milliseconds summed over the network's cells of that type
 * ({@code DartsOps.edgeMatrix}). The search minimises {@code cross-entropy + weight * E[lat] / E0}, with {@code E0}
 * the expected latency at uniform alpha, so that {@code weight} is unit-free (the same value means the same trade on
 * a fast and a slow device): at weight 1, cutting the expected latency by 10% is worth 0.1 nats of loss.
 *
 * <p>The term depends on alpha alone, so its gradient is analytic and added to the architecture gradient of
 * either order: {@code d E / d alpha_ej = w_ej (T_ej - sum_k w_ek T_ek)}.
 *
 * @param weight the trade-off lambda, >= 0
 * @param normal the normal cells' matrix, milliseconds
 * @param reduce the reduction cells' matrix, milliseconds
 */
public record LatencyObjective(double weight, double[][] normal, double[][] reduce) implements Serializable {
    public LatencyObjective {
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("darts.latencyWeights: a latency weight must be finite and >= 0, got "
                    + weight);
        }
        normal = copy(normal);
        reduce = copy(reduce);
        if (normal.length == 0 || normal.length != reduce.length || normal[0].length != reduce[0].length) {
            throw new IllegalArgumentException("the normal and reduction latency matrices must be edges x operations "
                    + "of one shape");
        }
        if (!(expected(uniform(normal), uniform(reduce), normal, reduce) > 0)) {
            throw new IllegalArgumentException("the latency table gives the supernet no latency (every entry 0)");
        }
    }

    /** The expected latency in milliseconds at architecture weights {@code alpha} (raw, before the softmax). */
    public double expectedMs(double[][] alphaNormal, double[][] alphaReduce) {
        return expected(DartsSearch.softmax(alphaNormal), DartsSearch.softmax(alphaReduce), normal, reduce);
    }

    /** E0: the expected latency at uniform alpha, the unit of the loss term. */
    public double referenceMs() {
        return expected(uniform(normal), uniform(reduce), normal, reduce);
    }

    /**
     * {@code weight / E0 * dE/dalpha} for the alpha of cell type {@code cellType} (0 normal, 1 reduce), as an array of
     * the step in alpha's data type. Called without gradient recording.
     */
    NDArray gradient(NDManager step, NDArray alpha, int cellType) {
        double[][] t = cellType == 0 ? normal : reduce;
        double[] flat = Arrays.stream(t).flatMapToDouble(Arrays::stream).toArray();
        NDArray table = step.create(flat, alpha.getShape()).toType(alpha.getDataType(), false);
        NDArray w = StepArrays.scoped(step, alpha.softmax(-1));
        NDArray expected = w.mul(table).sum(new int[] {1}, true);
        return w.mul(table.sub(expected)).muli(weight / referenceMs());
    }

    private static double expected(double[][] wn, double[][] wr, double[][] tn, double[][] tr) {
        double s = 0;
        for (int e = 0; e < tn.length; e++) {
            for (int k = 0; k < tn[e].length; k++) {
                s += wn[e][k] * tn[e][k] + wr[e][k] * tr[e][k];
            }
        }
        return s;
    }

    private static double[][] uniform(double[][] m) {
        double[][] u = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            u[i] = new double[m[i].length];
            Arrays.fill(u[i], 1.0 / m[i].length);
        }
        return u;
    }

    private static double[][] copy(double[][] m) {
        if (m == null) {
            throw new IllegalArgumentException("a latency objective needs its table matrices");
        }
        return Arrays.stream(m).map(double[]::clone).toArray(double[][]::new);
    }
}
