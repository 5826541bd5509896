package dev.infwasi;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * What a session's stream yields, one item at a time; after the last, {@link #completion()}
 * has the whole result. A newer generation on the same session ends the stream.
 */
abstract class StreamIterator<T> implements Iterator<T> {
    final Session session;
    private T next;
    private boolean done;
    private Completion completion;

    StreamIterator(Session session) {
        this.session = session;
    }

    /** The stream's next item from the session, or null at its end. */
    abstract T fetch();

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            next = fetch();
            if (next == null) {
                done = true;
                completion = session.lastCompletion();
            }
        }
        return next != null;
    }

    @Override
    public T next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        T item = next;
        next = null;
        return item;
    }

    /** The whole result (finish reason, usage, tool calls), once the last item has been read; null before. */
    public Completion completion() {
        return completion;
    }
}
