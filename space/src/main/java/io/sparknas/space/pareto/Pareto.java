package io.sparknas.space.pareto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Pareto dominance over objective vectors, every objective minimised (negate one to maximise it): the fast
 * non-dominated sort and crowding distance of NSGA-II (Deb et al. 2002), the front of a set, and the hypervolume of
 * a two-objective front against a reference point. The one implementation the strategies, the report and the
 * benchmarks share.
 */
public final class Pareto {
    private Pareto() {
    }

    /** Whether {@code a} dominates {@code b}: no worse in every objective and better in one. */
    public static boolean dominates(double[] a, double[] b) {
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > b[i]) {
                return false;
            }
            if (a[i] < b[i]) {
                better = true;
            }
        }
        return better;
    }

    /** Indices of the points no other point dominates, ascending. */
    public static List<Integer> front(double[][] points) {
        List<Integer> front = new ArrayList<>();
        for (int p = 0; p < points.length; p++) {
            boolean dominated = false;
            for (int q = 0; q < points.length && !dominated; q++) {
                dominated = dominates(points[q], points[p]);
            }
            if (!dominated) {
                front.add(p);
            }
        }
        return front;
    }

    /**
     * The fast non-dominated sort: fronts of indices, the first the non-dominated points, each next one non-dominated
     * once the earlier fronts are removed; indices ascending within a front.
     */
    public static List<List<Integer>> sort(double[][] points) {
        int n = points.length;
        List<List<Integer>> dominated = new ArrayList<>();
        int[] count = new int[n];
        List<List<Integer>> fronts = new ArrayList<>();
        List<Integer> current = new ArrayList<>();
        for (int p = 0; p < n; p++) {
            dominated.add(new ArrayList<>());
            for (int q = 0; q < n; q++) {
                if (dominates(points[p], points[q])) {
                    dominated.get(p).add(q);
                } else if (dominates(points[q], points[p])) {
                    count[p]++;
                }
            }
            if (count[p] == 0) {
                current.add(p);
            }
        }
        while (!current.isEmpty()) {
            fronts.add(current);
            List<Integer> next = new ArrayList<>();
            for (int p : current) {
                for (int q : dominated.get(p)) {
                    if (--count[q] == 0) {
                        next.add(q);
                    }
                }
            }
            next.sort(null);
            current = next;
        }
        return fronts;
    }

    /**
     * Crowding distance of each member of one front (same order as {@code front}): the sum over objectives of the gap
     * between its neighbours, normalised by the objective's range; the extremes of each objective get infinity.
     */
    public static double[] crowding(double[][] points, List<Integer> front) {
        int n = front.size();
        double[] d = new double[n];
        if (n == 0) {
            return d;
        }
        int m = points[front.get(0)].length;
        Integer[] order = new Integer[n];
        for (int k = 0; k < m; k++) {
            int obj = k;
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, Comparator.comparingDouble(i -> points[front.get(i)][obj]));
            double lo = points[front.get(order[0])][obj];
            double hi = points[front.get(order[n - 1])][obj];
            d[order[0]] = Double.POSITIVE_INFINITY;
            d[order[n - 1]] = Double.POSITIVE_INFINITY;
            if (hi > lo) {
                for (int i = 1; i < n - 1; i++) {
                    d[order[i]] += (points[front.get(order[i + 1])][obj] - points[front.get(order[i - 1])][obj])
                            / (hi - lo);
                }
            }
        }
        return d;
    }

    /**
     * The hypervolume of two-objective points (both minimised) against {@code reference}: the area dominated by the
     * points and bounded by the reference point. Points not strictly better than the reference in both objectives add
     * nothing.
     */
    public static double hypervolume2d(double[][] points, double[] reference) {
        List<double[]> inside = new ArrayList<>();
        for (double[] p : points) {
            if (p.length != 2 || reference.length != 2) {
                throw new IllegalArgumentException("hypervolume2d takes two objectives");
            }
            if (p[0] < reference[0] && p[1] < reference[1]) {
                inside.add(p);
            }
        }
        inside.sort(Comparator.comparingDouble((double[] p) -> p[0]).thenComparingDouble(p -> p[1]));
        double area = 0;
        double bestSecond = reference[1];
        for (double[] p : inside) {
            if (p[1] < bestSecond) {
                area += (reference[0] - p[0]) * (bestSecond - p[1]);
                bestSecond = p[1];
            }
        }
        return area;
    }

    /** The nadir of a front: the worst value of each objective among its members. */
    public static double[] nadir(double[][] points, List<Integer> front) {
        double[] worst = new double[points[front.get(0)].length];
        Arrays.fill(worst, Double.NEGATIVE_INFINITY);
        for (int i : front) {
            for (int k = 0; k < worst.length; k++) {
                worst[k] = Math.max(worst[k], points[i][k]);
            }
        }
        return worst;
    }
}
