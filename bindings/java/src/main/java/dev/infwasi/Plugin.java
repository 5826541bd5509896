package dev.infwasi;

/**
 * A plugin: a component of inf-wasi's {@code plugin} world, composed with an engine and compiled
 * ({@link Engine#plugin}). It may open the engine's models and nothing else; each {@link #run}
 * gets a fresh instance and its own sessions, under the engine's limits.
 */
public final class Plugin implements AutoCloseable {
    private final Handle handle;

    Plugin(long handle) {
        this.handle = new Handle(handle, "plugin", Native::pluginClose).cleanedWith(this);
    }

    /**
     * Runs the plugin on {@code input}. A plugin that runs past the engine's time limit is a
     * {@code cancelled} error, one that traps (a panic) a {@code backend} error; the engine goes
     * on either way. The plugin's own error is the result's {@link PluginRun#error()}.
     */
    public PluginRun run(String input) {
        Text.require(input, "a plugin's input");
        Object[] run = handle.use(p -> Native.pluginRun(p, input));
        return new PluginRun((String) run[0], (String) run[1], (byte[]) run[2], (byte[]) run[3]);
    }

    @Override
    public void close() {
        handle.close();
    }
}
