// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import java.awt.AWTError;
import java.awt.GraphicsEnvironment;
import java.awt.HeadlessException;

/**
 * Run by {@code harmonij gui} before ImageJ: exits 0 if Java can open the display, else says why
 * and exits 2. ImageJ itself, started on a {@code DISPLAY} that names no reachable X server, dies
 * in one thread with an {@link AWTError} while its other threads keep the JVM alive, so the
 * command never ends; this check lets it end at once with a message instead.
 */
public final class DisplayCheck {

	private DisplayCheck() {}

	public static void main(final String[] args) {
		final String display = System.getenv("DISPLAY");
		try {
			if (GraphicsEnvironment.isHeadless()) throw new HeadlessException();
			GraphicsEnvironment.getLocalGraphicsEnvironment().getScreenDevices();
		}
		catch (final AWTError | HeadlessException e) {
			System.err.println("harmonij gui: no display" + (display == null || display.isEmpty()
				? "" : " at DISPLAY=" + display + " (" + e.getMessage() + ")") +
				"; run it under xvfb-run -a or on a desktop.");
			System.exit(2);
		}
	}
}
