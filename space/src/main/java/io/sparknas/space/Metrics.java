package io.sparknas.space;

import java.util.List;
import java.util.Locale;

/**
 * The names of the metrics an evaluation records ({@link Evaluation#metrics()}), shared by every module and by the
 * Parquet columns that promote some of them ({@code params}, {@code flops}, ...): one spelling, here. The Python
 * report mirrors {@link #ALL} (a test compares the two lists).
 */
public final class Metrics {
    private Metrics() {
    }

    /** The search signal (validation accuracy), as {@link Evaluation#accuracy()} and the Parquet column. */
    public static final String ACCURACY = "accuracy";
    /** Accuracy on the official test split, where the estimator reads it. */
    public static final String TEST_ACCURACY = "test_accuracy";
    /** Trainable parameters of the network the estimator built. */
    public static final String PARAMS = "params";
    /** Multiply-accumulates of one forward pass at batch 1. */
    public static final String FLOPS = "flops";
    /** Median latency of a forward pass at batch 1, measured where the candidate was evaluated. */
    public static final String LATENCY_MS_B1 = "latency_ms_b1";
    /** Median latency of a forward pass at the training batch size. */
    public static final String LATENCY_MS_BATCH = "latency_ms_batch";
    /** Seconds spent training. */
    public static final String TRAIN_SECONDS = "train_seconds";
    /** Epochs a trained candidate was given. */
    public static final String EPOCHS = "epochs";
    /** A latency table's prediction of the candidate's network (a search objective's or latency-aware DARTS's). */
    public static final String LATENCY_PREDICTED = "latency_pred_ms";
    /** A derived network's latency timed alone at batch 1 after its search (latency-aware DARTS). */
    public static final String LATENCY_TIMED = "latency_ms_timed";
    /** The latency weight lambda a latency-aware DARTS search ran with. */
    public static final String LATENCY_WEIGHT = "latency_weight";
    /** Spark jobs a candidate was given before it was committed as failed. */
    public static final String ATTEMPTS = "attempts";
    /** Per epoch (see {@link #epoch}): the epoch's training loss, validation loss and accuracy. */
    public static final String TRAIN_LOSS = "train_loss";
    public static final String VAL_LOSS = "val_loss";
    public static final String VAL_ACCURACY = "val_accuracy";
    /** A paused training continued (multi-fidelity): the epoch its saved state was at (0: from scratch). */
    public static final String RESUMED_FROM_EPOCH = "resumed_from_epoch";
    /** Saved states that could not be read and were passed over before it continued (or started over). */
    public static final String RESUME_SKIPPED = "resume_skipped";
    /** Bytes of the training state it saved at the end of its span (parameters, momentum, progress). */
    public static final String STATE_BYTES = "state_bytes";
    /** Seconds spent loading and saving the training state (the estimator's part of a pause and a resume). */
    public static final String STATE_SECONDS = "state_seconds";
    /** Seconds spent copying the training state between the sweep's storage and the executor's disk. */
    public static final String TRANSFER_SECONDS = "transfer_seconds";
    /** Seconds this span trained (its {@code train_seconds} counts every span of the candidate's training). */
    public static final String SPAN_SECONDS = "span_seconds";

    /** Every name above, in the order the Python report lists them. */
    public static final List<String> ALL = List.of(ACCURACY, TEST_ACCURACY, PARAMS, FLOPS, LATENCY_MS_B1,
            LATENCY_MS_BATCH, TRAIN_SECONDS, EPOCHS, LATENCY_PREDICTED, LATENCY_TIMED, LATENCY_WEIGHT, ATTEMPTS,
            TRAIN_LOSS, VAL_LOSS, VAL_ACCURACY, RESUMED_FROM_EPOCH, RESUME_SKIPPED, STATE_BYTES, SPAN_SECONDS,
            STATE_SECONDS, TRANSFER_SECONDS);

    /** Costs known before a candidate is trained: what a search constraint may bound. */
    public static final List<String> PRIOR_COSTS = List.of(FLOPS, PARAMS, LATENCY_PREDICTED);

    /** The prefix of epoch {@code n}'s metrics: {@code epoch_03_}. */
    public static String epochPrefix(int n) {
        return String.format(Locale.ROOT, "epoch_%02d_", n);
    }

    /** Epoch {@code n}'s {@code name}: {@code epoch_03_val_accuracy}. */
    public static String epoch(int n, String name) {
        return epochPrefix(n) + name;
    }
}
