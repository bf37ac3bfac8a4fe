package io.sparknas.oneshot;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.training.GradientClip;
import io.sparknas.estimators.training.SgdConfig;

import java.util.List;

import static io.sparknas.oneshot.StepArrays.scoped;

/**
 * SGD on a supernet's weights w as {@code torch.optim.SGD} (momentum, L2 weight decay where the model says) after
 * {@code clip_grad_norm_}, written out on DJL arrays so that the second-order architecture step can read the
 * momentum buffer for its unrolled weights (DARTS) and the elastic supernet shares it (OFA). Not thread-safe.
 */
public final class WeightOptimizer {
    private final SgdConfig sgd;
    private final Trainable model;
    private final NDArray[] momentum;

    public WeightOptimizer(SgdConfig sgd, Trainable model) {
        this.sgd = sgd;
        this.model = model;
        this.momentum = new NDArray[model.weights().size()];
    }

    public SgdConfig config() {
        return sgd;
    }

    /** The momentum buffer of weight {@code i}, or null before its first step. */
    public NDArray momentum(int i) {
        return momentum[i];
    }

    /** Applies the gradients of the last backward pass with learning rate {@code lr}, then zeroes them. */
    public void step(NDManager step, double lr) {
        step(step, lr, null);
    }

    /**
     * The same for the weights marked {@code active} (null = all): the others are left as they are, with no weight
     * decay and no momentum, as {@code torch.optim.SGD} skips parameters without a gradient (a single-path
     * supernet's weights off the step's path).
     */
    public void step(NDManager step, double lr, boolean[] active) {
        List<NDArray> all = model.weights();
        int[] index = java.util.stream.IntStream.range(0, all.size()).filter(i -> active == null || active[i])
                .toArray();
        List<NDArray> weights = java.util.Arrays.stream(index).mapToObj(all::get).toList();
        try (Torch.NoGrad ng = Torch.noGrad()) {
            synchronized (Torch.UPDATE_LOCK) {
                List<NDArray> g = StepArrays.gradients(step, weights);
                GradientClip.toNorm(g, sgd.gradClip());
                for (int j = 0; j < index.length; j++) {
                    int i = index[j];
                    NDArray p = weights.get(j);
                    NDArray d = g.get(j);
                    if (sgd.weightDecay() > 0 && model.decays(i)) {
                        d.addi(scoped(step, p.mul(sgd.weightDecay())));
                    }
                    if (momentum[i] == null) {
                        momentum[i] = d.duplicate();
                        momentum[i].attach(model.manager());
                    } else {
                        momentum[i].muli(sgd.momentum()).addi(d);
                    }
                    p.subi(scoped(step, momentum[i].mul(lr)));
                }
                model.zeroGradients();
            }
        }
    }
}
