package io.sparknas.estimators.training;

/** A training loss that is not finite: the network (or the search) diverged. The one divergence type. */
public final class Divergence extends RuntimeException {
    public Divergence(String message) {
        super(message);
    }

    /** Throws when {@code loss} is not finite; {@code what} names the loss and the remedy. */
    public static float check(float loss, String what) {
        if (!Float.isFinite(loss)) {
            throw new Divergence(what + " became " + loss);
        }
        return loss;
    }
}
