package dev.infwasi;

import java.lang.ref.Cleaner;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * A native handle that can be closed once. Calls after {@link #close()} throw an
 * {@link InfWasiException} ({@code invalid-input}) instead of reaching freed memory; the native
 * tables keep an object alive while a call uses it, so closing during a call is safe too.
 */
final class Handle {
    /** Frees what the application dropped without closing. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final String what;
    private final LongConsumer release;
    private volatile long id;

    Handle(long id, String what, LongConsumer release) {
        this.id = id;
        this.what = what;
        this.release = release;
    }

    /** Closes this handle when {@code owner} becomes unreachable (the action holds the handle, not the owner). */
    Handle cleanedWith(Object owner) {
        CLEANER.register(owner, this::close);
        return this;
    }

    <T> T use(LongFunction<T> call) {
        long current = id;
        if (current == 0) {
            throw InfWasiException.invalidInput("this " + what + " is closed");
        }
        return call.apply(current);
    }

    boolean isClosed() {
        return id == 0;
    }

    synchronized void close() {
        long current = id;
        id = 0;
        if (current != 0) {
            release.accept(current);
        }
    }
}
