package dev.infwasi;

/**
 * Pieces of text as they are generated. After the last one, {@link #completion()} has the finish
 * reason and usage. A newer generation on the same session ends this one.
 */
public final class TokenIterator extends StreamIterator<String> {
    TokenIterator(Session session) {
        super(session);
    }

    @Override
    String fetch() {
        return session.next();
    }
}
