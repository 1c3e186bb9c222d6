package org.openspheron.operator.leadership;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Whether this replica leads, and the {@link LeaderDuty duties} that run only while it does. A replica leads at most
 * once: after its leadership ended (lost, or given up on shutdown) it never starts its duties again, because a
 * replica that lost the Lease exits and comes back as a new process. A duty registered while the replica already
 * leads starts at once, so the order in which the application's parts start does not matter.
 */
@ApplicationScoped
public class Leadership {
    private static final Logger LOG = Logger.getLogger(Leadership.class);

    private enum State { FOLLOWING, LEADING, ENDED }

    private final List<LeaderDuty> duties = new ArrayList<>();
    private State state = State.FOLLOWING;

    /** Runs {@code duty} while this replica leads. */
    public synchronized void register(LeaderDuty duty) {
        duties.add(duty);
        if (state == State.LEADING) {
            duty.startLeading();
        }
    }

    /** This replica was elected (or runs alone): starts the duties. */
    public synchronized void elected() {
        if (state != State.FOLLOWING) {
            return;
        }
        state = State.LEADING;
        duties.forEach(LeaderDuty::startLeading);
    }

    /** This replica's leadership ended: stops every duty, each even if another fails to stop. */
    public synchronized void ended() {
        State was = state;
        state = State.ENDED;
        if (was != State.LEADING) {
            return;
        }
        for (LeaderDuty duty : duties) {
            try {
                duty.stopLeading();
            } catch (RuntimeException e) {
                LOG.errorf(e, "could not stop %s", duty);
            }
        }
    }

    public synchronized boolean leading() {
        return state == State.LEADING;
    }
}
