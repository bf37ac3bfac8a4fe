package io.sparknas.oneshot.darts;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.training.SgdConfig;

import java.util.List;

import static io.sparknas.oneshot.darts.SupernetModel.scoped;

/**
 * SGD on the supernet's weights w as {@code torch.optim.SGD} (momentum, L2 weight decay) after
 * {@code clip_grad_norm_}, written out on DJL arrays so that the second-order architecture step can read the
 * momentum buffer for its unrolled weights. Not thread-safe.
 */
final class WeightOptimizer {
    private final SgdConfig sgd;
    private final SupernetModel model;
    private final NDArray[] momentum;

    WeightOptimizer(SgdConfig sgd, SupernetModel model) {
        this.sgd = sgd;
        this.model = model;
        this.momentum = new NDArray[model.weights().size()];
    }

    SgdConfig config() {
        return sgd;
    }

    /** The momentum buffer of weight {@code i}, or null before its first step. */
    NDArray momentum(int i) {
        return momentum[i];
    }

    /** Applies the gradients of the last backward pass with learning rate {@code lr}, then zeroes them. */
    void step(NDManager step, double lr) {
        List<NDArray> weights = model.weights();
        try (Torch.NoGrad ng = Torch.noGrad()) {
            synchronized (Torch.UPDATE_LOCK) {
                List<NDArray> g = SupernetModel.gradients(step, weights);
                clip(g);
                for (int i = 0; i < weights.size(); i++) {
                    NDArray p = weights.get(i);
                    NDArray d = g.get(i);
                    if (sgd.weightDecay() > 0) {
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

    /** Scales the gradients to a global norm of at most {@code gradClip}, as torch's clip_grad_norm_. */
    private void clip(List<NDArray> grads) {
        if (sgd.gradClip() <= 0) {
            return;
        }
        double norm = Math.sqrt(SupernetModel.squaredNorm(grads));
        double coef = sgd.gradClip() / (norm + 1e-6);
        if (coef < 1) {
            for (NDArray g : grads) {
                g.muli(coef);
            }
        }
    }
}
