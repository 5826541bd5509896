package dev.infwasi;

/**
 * Text pieces and tool calls as they are generated ({@link Session#chatEvents}). After the last,
 * {@link #completion()} has the whole result, its calls the ones this iterator yielded.
 */
public final class EventIterator extends StreamIterator<StreamEvent> {
    EventIterator(Session session) {
        super(session);
    }

    @Override
    StreamEvent fetch() {
        return session.nextEvent();
    }
}
