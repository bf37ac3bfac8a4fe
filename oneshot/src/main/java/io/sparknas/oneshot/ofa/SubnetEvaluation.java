package io.sparknas.oneshot.ofa;

import ai.djl.ndarray.NDManager;
import io.sparknas.estimators.data.Datasets;
import io.sparknas.estimators.data.ImageSet;
import io.sparknas.estimators.training.BatchStats;
import io.sparknas.oneshot.InheritedEvaluation;
import io.sparknas.oneshot.Norm;
import io.sparknas.space.ofa.OfaSubnet;

/** A Once-for-All subnet evaluated by weight inheritance ({@link InheritedEvaluation} on the elastic supernet). */
public final class SubnetEvaluation {

    private SubnetEvaluation() {
    }

    /** BN statistics of {@code net} over {@code images} training images drawn from {@code seed}. */
    public static Norm.Statistics calibrate(ElasticSupernet supernet, OfaSubnet net, Datasets.Split data, int images,
                                            int batch, long seed, NDManager owner) {
        return InheritedEvaluation.calibrate((x, norm) -> supernet.forward(net, x, norm), supernet.manager(), data,
                images, batch, seed, owner);
    }

    /** Accuracy of {@code net} with statistics {@code stats} on every image of {@code images}. */
    public static BatchStats evaluate(ElasticSupernet supernet, OfaSubnet net, Norm.Statistics stats,
                                      ImageSet images, ImageSet.Normalization norm, NDManager scope) {
        return InheritedEvaluation.evaluate((x, n) -> supernet.forward(net, x, n), stats, images, norm, scope);
    }
}
