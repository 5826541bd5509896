package dev.infwasi;

/** How the sessions that share a llama.cpp context ({@link Engine.Builder#parallel}) are decoded together. */
public enum Batching {
    /**
     * Each session's output is what it would be alone: generating sessions' tokens are decoded at most
     * three to a decode (from four rows on, llama.cpp's CPU kernels round differently) and each prompt
     * in decodes of its own.
     */
    EXACT("exact"),
    /** A step's work in one decode: the most throughput, but an output may differ from the one alone. */
    FAST("fast");

    private final String wireName;

    Batching(String wireName) {
        this.wireName = wireName;
    }

    String wireName() {
        return wireName;
    }
}
