package io.sparknas.estimators.training;

/**
 * Loss and correct predictions summed over {@code count} examples (a batch, or a whole set after {@link #plus}).
 */
public record BatchStats(double lossSum, double correct, long count) {
    public static final BatchStats EMPTY = new BatchStats(0, 0, 0);

    public BatchStats plus(BatchStats other) {
        return new BatchStats(lossSum + other.lossSum, correct + other.correct, count + other.count);
    }

    public double accuracy() {
        return count == 0 ? Double.NaN : correct / count;
    }

    public double meanLoss() {
        return count == 0 ? Double.NaN : lossSum / count;
    }
}
