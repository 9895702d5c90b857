package io.lockstep.agent.transform;

/** How much of the instrumentation a class gets. */
enum Scope {
    /** Not touched: the agent's own classes, and JDK internals that only time themselves. */
    NONE,
    /** Only the class-specific rules of {@link Rules} (a JDK class outside the broad scopes). */
    SPECIFIC,
    /** Identity hash rewriting and the class-specific rules (java.lang.Object, java.lang.Enum). */
    IDENTITY,
    /** Clock and processor-count values, identity hashes, class-specific rules (public JDK libraries). */
    JDK_SOURCES,
    /** Everything, static initialisers included (the application's classes). */
    APPLICATION;

    boolean rewritesIdentity() {
        return this == IDENTITY || this == JDK_SOURCES || this == APPLICATION;
    }

    boolean filtersGlobalValues() {
        return this == JDK_SOURCES || this == APPLICATION;
    }
}
