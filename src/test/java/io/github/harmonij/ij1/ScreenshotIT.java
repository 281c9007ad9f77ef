// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HarmonIJ in a real ImageJ 1.x window on a private Xvfb display: the demo macro
 * ({@code macros/demo.ijm}, not in batch mode) harmonises a simulated cohort and the menu command
 * shows its results; the screen is saved as {@code target/screenshots/demo.png}. The open
 * Plugins &gt; HarmonIJ menu is saved as {@code target/screenshots/menu.png}. (docs/images holds
 * copies that were looked at.)
 */
class ScreenshotIT {

	private static final long TIMEOUT_S = 240;

	@TempDir
	static Path tmp;

	static Path app;

	static final Path SHOTS = Paths.get("target/screenshots");

	@BeforeAll
	static void findApp() {
		app = Paths.get(System.getProperty("harmonij.app", "target/app"));
		assertTrue(Files.isRegularFile(app.resolve("ij.jar")), "packaged app at " + app);
		XDisplay.require("xdotool", "import");
	}

	@Test
	void demoMacroShowsHarmonisedDifferenceAndSiteMaps() throws Exception {
		final Path dir = tmp.resolve("demo");
		Files.createDirectories(dir);
		try (XDisplay x = XDisplay.start()) {
			final Process ij = imagej(x, "-macro", Paths.get("macros/demo.ijm").toAbsolutePath()
				.toString(), dir.toString());
			try {
				waitForWindow(x, ij, "HarmonIJ combat summary");
				Thread.sleep(2000); // let the windows paint
				x.screenshot(SHOTS.resolve("demo.png"));
				for (final String title : new String[] { "Original cohort", "Harmonised (combat)",
					"Difference (combat)", "Mean difference per site (combat)" })
					assertTrue(window(x, title), title + " is shown");
			}
			finally {
				stop(ij);
			}
		}
		assertTrue(Files.size(SHOTS.resolve("demo.png")) > 50_000, "a screenshot with images");
	}

	@Test
	void menuShowsEveryCommand() throws Exception {
		try (XDisplay x = XDisplay.start()) {
			final Process ij = imagej(x);
			try {
				waitForWindow(x, ij, "^ImageJ$");
				Thread.sleep(1000);
				// Plugins is the 6th menu of the ImageJ bar; HarmonIJ is the last Plugins item.
				final String id = search(x, "^ImageJ$");
				x.xdotool("mousemove", "--window", id, "320", "10", "click", "1");
				Thread.sleep(700);
				x.xdotool("mousemove", "--window", id, "330", "156", "click", "1");
				Thread.sleep(1000);
				x.screenshot(SHOTS.resolve("menu.png"));
			}
			finally {
				stop(ij);
			}
		}
		assertTrue(Files.size(SHOTS.resolve("menu.png")) > 5_000);
	}

	// -- Helper methods --

	private static Process imagej(final XDisplay x, final String... args) throws IOException {
		final List<String> cmd = new java.util.ArrayList<>();
		cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
		cmd.add("-Dplugins.dir=" + app.toAbsolutePath());
		cmd.add("-jar");
		cmd.add(app.resolve("ij.jar").toAbsolutePath().toString());
		cmd.addAll(List.of(args));
		return x.process(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("imagej.log")
			.toFile()).start();
	}

	private static void waitForWindow(final XDisplay x, final Process ij, final String title)
		throws Exception
	{
		final long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_S);
		while (System.nanoTime() < end) {
			if (window(x, title)) return;
			if (!ij.isAlive()) break;
			Thread.sleep(500);
		}
		throw new AssertionError("no window \"" + title + "\" in " + TIMEOUT_S + " s; ImageJ said:\n" +
			new String(Files.readAllBytes(tmp.resolve("imagej.log"))));
	}

	private static boolean window(final XDisplay x, final String title) throws Exception {
		return search(x, title) != null;
	}

	/** @return the id of the first visible window whose name matches, or null */
	private static String search(final XDisplay x, final String title) throws Exception {
		// xdotool takes a regular expression; the titles have parentheses
		final String regex = title.replace("(", "\\(").replace(")", "\\)");
		final Process p = x.process(List.of("xdotool", "search", "--onlyvisible", "--name", regex))
			.redirectErrorStream(false).start();
		final String out = new String(p.getInputStream().readAllBytes()).trim();
		p.waitFor(30, TimeUnit.SECONDS);
		return out.isEmpty() ? null : out.split("\\s+")[0];
	}

	private static void stop(final Process p) throws InterruptedException {
		p.destroy();
		if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
	}
}
