// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * When {@code harmonij demo} hands the JVM over to ImageJ, the signal hook is removed: quitting
 * ImageJ later must not cancel a command the user started from its menus as if by a signal.
 */
class SignalHookTest {

	@Test
	void handingOverToImageJRemovesTheSignalHook() {
		final Thread hook = new Thread(() -> {}, "test hook");
		Runtime.getRuntime().addShutdownHook(hook);
		assertTrue(Harmonij.releaseHook(hook), "handed over");
		assertFalse(Runtime.getRuntime().removeShutdownHook(hook), "the hook is gone");
	}
}
