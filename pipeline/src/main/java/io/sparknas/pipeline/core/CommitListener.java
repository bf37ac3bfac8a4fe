package io.sparknas.pipeline.core;

import io.sparknas.space.Evaluation;

import java.util.List;

/**
 * Hears each commit of evaluated candidates once it is durable and before the strategy is told of it: a live
 * progress page or a notifier listens here (tests also stop the driver here, right after a commit). {@code seq} is
 * the round in rounds mode and the place in the order of tells in asynchronous mode.
 */
@FunctionalInterface
public interface CommitListener {
    CommitListener NONE = (seq, evaluations) -> { };

    void committed(int seq, List<Evaluation> evaluations);
}
