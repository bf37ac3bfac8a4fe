package io.sparknas.pipeline.core;

import io.sparknas.space.Candidate;

/**
 * A resume asks the strategy again for what it proposed before and checks that it proposes the same: the one check,
 * and the one message when it does not (the code of the strategy or the space changed since the sweep was made).
 */
public final class Replay {
    private Replay() {
    }

    /** Refuses {@code proposed} where the store holds {@code stored} ({@code where}: "round 3", "tell 7"). */
    public static void check(String where, Candidate proposed, Candidate stored) {
        if (stored == null || !proposed.id().equals(stored.id()) || !proposed.key().equals(stored.key())) {
            throw new Sweep.Mismatch("replaying " + where + ": the strategy proposed " + proposed.id() + " "
                    + proposed.key() + " but the store holds " + (stored == null ? "no such candidate"
                    : stored.id() + " " + stored.key()) + " (did the code of the strategy or the space change since "
                    + "the sweep was made? Resume with the version that made it, or pass --new-sweep)");
        }
    }
}
