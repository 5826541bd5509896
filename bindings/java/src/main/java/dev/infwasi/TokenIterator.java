package dev.infwasi;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Pieces of text as they are generated. After the last one, {@link #completion()} has the finish
 * reason and usage. A newer generation on the same session ends this one.
 */
public final class TokenIterator implements Iterator<String> {
    private final Session session;
    private String next;
    private boolean done;
    private Completion completion;

    TokenIterator(Session session) {
        this.session = session;
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            next = session.next();
            if (next == null) {
                done = true;
                completion = session.lastCompletion();
            }
        }
        return next != null;
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        String piece = next;
        next = null;
        return piece;
    }

    /** The whole result, once the last piece has been read; null before. */
    public Completion completion() {
        return completion;
    }
}
