// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * {@code harmonij gui} on a {@code DISPLAY} that names no X server ends at once with a message
 * (ImageJ itself would hang: its AWT error kills one thread, the others keep the JVM alive). An
 * integration test because the launcher runs the built app ({@code DisplayCheck}); without a
 * display at all: {@code FirstRunCliTest}.
 */
class GuiLaunchIT {

	@Test
	void guiOnAnUnreachableDisplayEndsAtOnce() throws IOException, InterruptedException {
		assumeFalse(System.getProperty("os.name").startsWith("Mac"), "macOS has no DISPLAY");
		assumeFalse(System.getProperty("os.name").startsWith("Windows"), "the launcher is bash");
		int d = 97;
		while (Files.exists(Path.of("/tmp/.X11-unix/X" + d)))
			d++;
		final ProcessBuilder pb = new ProcessBuilder(List.of("bash", Paths.get("harmonij")
			.toAbsolutePath().toString(), "gui")).redirectErrorStream(true);
		pb.environment().put("DISPLAY", ":" + d);
		final Process p = pb.start();
		final boolean ended = p.waitFor(60, TimeUnit.SECONDS);
		if (!ended) p.destroyForcibly();
		final String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(ended, "harmonij gui on :" + d + " did not end: " + text);
		assertEquals(2, p.exitValue(), text);
		assertTrue(text.trim().startsWith("harmonij gui: no display at DISPLAY=:" + d + " (") && text
			.trim().endsWith("; run it under xvfb-run -a or on a desktop."), text);
	}
}
