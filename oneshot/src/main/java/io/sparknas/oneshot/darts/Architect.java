package io.sparknas.oneshot.darts;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.sparknas.estimators.Torch;
import io.sparknas.estimators.training.GradientClip;
import io.sparknas.oneshot.WeightOptimizer;

import java.util.List;
import java.util.Optional;

import static io.sparknas.oneshot.StepArrays.copies;
import static io.sparknas.oneshot.StepArrays.gradients;
import static io.sparknas.oneshot.StepArrays.scoped;

/**
 * The architecture step of DARTS (its {@code architect.py}): the gradient of the validation loss with respect to
 * alpha, first-order (at the current weights) or second-order (through the weights unrolled by one SGD step, with
 * the finite-difference Hessian-vector product), then an Adam step on alpha as {@code torch.optim.Adam} with L2
 * weight decay. A latency-aware search adds its {@link LatencyObjective}'s analytic gradient. Not thread-safe.
 */
final class Architect {
    /** DARTS's radius of the finite-difference Hessian-vector product: R = 0.01 / |dL_val(w')/dw'|. */
    static final double DARTS_RADIUS = 0.01;

    private final ArchitectConfig cfg;
    private final SupernetModel model;
    private final WeightOptimizer weights;
    private final NDArray[] adamM;
    private final NDArray[] adamV;
    private final double radius;
    private final Optional<LatencyObjective> latency;
    private int adamSteps;

    Architect(ArchitectConfig cfg, SupernetModel model, WeightOptimizer weights, Optional<LatencyObjective> latency) {
        this(cfg, model, weights, DARTS_RADIUS, latency);
    }

    /** With another radius for the Hessian-vector product (a test checks the formula with an infinitesimal one). */
    Architect(ArchitectConfig cfg, SupernetModel model, WeightOptimizer weights, double radius,
              Optional<LatencyObjective> latency) {
        this.cfg = cfg;
        this.latency = latency;
        this.radius = radius;
        this.model = model;
        this.weights = weights;
        int n = model.alphas().size();
        adamM = new NDArray[n];
        adamV = new NDArray[n];
        for (int i = 0; i < n; i++) {
            adamM[i] = model.manager().zeros(model.alphas().get(i).getShape());
            adamV[i] = model.manager().zeros(model.alphas().get(i).getShape());
        }
    }

    /**
     * One Adam step on alpha from a validation batch (and, second-order, the training batch), with the latency
     * term's gradient added where the search has one.
     */
    void step(NDManager step, float[][] valBatch, float[][] trainBatch, double lr) {
        List<NDArray> g = gradient(step, cfg.order(), valBatch, trainBatch, lr);
        if (latency.isPresent()) {
            try (Torch.NoGrad ng = Torch.noGrad()) {
                for (int i = 0; i < g.size(); i++) {
                    g.get(i).addi(latency.get().gradient(step, model.alphas().get(i), i));
                }
            }
        }
        adam(step, g);
    }

    /** The architecture gradient of {@code order} (normal, reduce), as arrays of the step; alpha is not moved. */
    List<NDArray> gradient(NDManager step, int order, float[][] valBatch, float[][] trainBatch, double lr) {
        return order == 1 ? firstOrder(step, valBatch) : secondOrder(step, valBatch, trainBatch, lr);
    }

    /** dL_val/dalpha at the current weights. */
    private List<NDArray> firstOrder(NDManager step, float[][] valBatch) {
        model.forwardBackward(step, valBatch);
        try (Torch.NoGrad ng = Torch.noGrad()) {
            List<NDArray> g = copies(step, gradients(step, model.alphas()));
            model.zeroGradients();
            return g;
        }
    }

    /**
     * DARTS's unrolled gradient: dL_val(w', alpha)/dalpha - lr * (dL_train(w+, alpha)/dalpha - dL_train(w-, alpha)
     * /dalpha) / 2R, with w' = w - lr * (momentum * buffer + dL_train/dw + wd * w), w+- = w +- R dL_val(w')/dw' and
     * R = 0.01 / |dL_val(w')/dw'| ({@link #DARTS_RADIUS}). The weights are restored afterwards.
     */
    private List<NDArray> secondOrder(NDManager step, float[][] valBatch, float[][] trainBatch, double lr) {
        List<NDArray> w = model.weights();
        List<NDArray> alphas = model.alphas();
        model.forwardBackward(step, trainBatch);
        List<NDArray> saved;
        try (Torch.NoGrad ng = Torch.noGrad()) {
            List<NDArray> gTrain = copies(step, gradients(step, w));
            model.zeroGradients();
            saved = copies(step, w);
            for (int i = 0; i < w.size(); i++) {
                NDArray p = w.get(i);
                NDArray d = gTrain.get(i);
                if (weights.momentum(i) != null) {
                    d.addi(scoped(step, weights.momentum(i).mul(weights.config().momentum())));
                }
                d.addi(scoped(step, p.mul(weights.config().weightDecay())));
                p.subi(d.muli(lr));
            }
        }
        model.forwardBackward(step, valBatch);
        List<NDArray> dAlpha;
        List<NDArray> dW;
        double r;
        try (Torch.NoGrad ng = Torch.noGrad()) {
            dAlpha = copies(step, gradients(step, alphas));
            dW = copies(step, gradients(step, w));
            model.zeroGradients();
            r = radius / Math.sqrt(GradientClip.squaredNorm(dW));
            model.setWeights(saved, dW, r);
        }
        model.forwardBackward(step, trainBatch);
        List<NDArray> plus;
        try (Torch.NoGrad ng = Torch.noGrad()) {
            plus = copies(step, gradients(step, alphas));
            model.zeroGradients();
            model.setWeights(saved, dW, -r);
        }
        model.forwardBackward(step, trainBatch);
        try (Torch.NoGrad ng = Torch.noGrad()) {
            List<NDArray> minus = gradients(step, alphas);
            for (int i = 0; i < alphas.size(); i++) {
                dAlpha.get(i).subi(plus.get(i).subi(minus.get(i)).muli(lr / (2 * r)));
            }
            model.zeroGradients();
            model.setWeights(saved, dW, 0);
            return dAlpha;
        }
    }

    private void adam(NDManager step, List<NDArray> grads) {
        List<NDArray> alphas = model.alphas();
        try (Torch.NoGrad ng = Torch.noGrad()) {
            synchronized (Torch.UPDATE_LOCK) {
                adamSteps++;
                double b1 = cfg.archBeta1();
                double b2 = cfg.archBeta2();
                double c1 = 1 - Math.pow(b1, adamSteps);
                double c2 = 1 - Math.pow(b2, adamSteps);
                for (int i = 0; i < alphas.size(); i++) {
                    NDArray g = grads.get(i);
                    if (cfg.archWeightDecay() > 0) {
                        g.addi(scoped(step, alphas.get(i).mul(cfg.archWeightDecay())));
                    }
                    adamM[i].muli(b1).addi(g.mul(1 - b1));
                    adamV[i].muli(b2).addi(g.square().muli(1 - b2));
                    NDArray denom = scoped(step, adamV[i].sqrt()).divi(Math.sqrt(c2)).addi(1e-8);
                    alphas.get(i).subi(scoped(step, adamM[i].mul(cfg.archLearningRate() / c1)).divi(denom));
                }
            }
        }
    }
}
