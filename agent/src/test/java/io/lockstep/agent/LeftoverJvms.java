package io.lockstep.agent;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** After each test, the forked JVMs it left running are killed (registered for every test: META-INF/services). */
public final class LeftoverJvms implements AfterEachCallback {
    @Override
    public void afterEach(ExtensionContext context) {
        ForkedJvm.killLeftovers();
    }
}
