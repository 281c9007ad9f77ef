// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A private X display for one test: Xvfb at 1600x1000 with the twm window manager, and screenshots
 * with ImageMagick's {@code import}. Closing stops both.
 * <p>
 * The window manager is required, and checked: without one, nothing gives ImageJ's window the
 * keyboard focus (it lands on a 1x1 child window) and windows have no title bars, so a test of a
 * key press or a screenshot would fail with a misleading assertion, or pass on the wrong picture.
 * twm uses only the X server's built-in font {@code fixed} (src/test/resources/twmrc), so it runs
 * without any X font package; a twm that exits anyway (for example, it cannot open a font set)
 * fails the test with twm's own words. {@code .ci/run} installs every program named here.
 * <p>
 * {@link #require} skips a test whose programs are missing on a developer's machine, and fails it
 * under CI (the environment variable {@code CI} is set), where a skip would hide a missing install.
 */
final class XDisplay implements AutoCloseable {

	/** The screen the screenshots show. */
	static final String SCREEN = "1600x1000x24";

	private final Process xvfb;

	private final Process wm;

	final String display;

	private XDisplay(final Process xvfb, final Process wm, final String display) {
		this.xvfb = xvfb;
		this.wm = wm;
		this.display = display;
	}

	/** The programs every display needs: the X server and the window manager. */
	private static final List<String> DISPLAY_PROGRAMS = List.of("Xvfb", "twm");

	/** How long twm must stay up after it starts to count as running. */
	private static final long WM_SETTLE_MS = 1500;

	/**
	 * Skips the calling test (a developer's machine) or fails it (CI) unless Xvfb, twm and the
	 * {@code extra} programs are on the PATH.
	 *
	 * @param extra programs the test runs besides the display, e.g. "xdotool", "import"
	 */
	static void require(final String... extra) {
		final List<String> missing = new ArrayList<>();
		for (final String p : DISPLAY_PROGRAMS)
			if (!onPath(p)) missing.add(p);
		for (final String p : extra)
			if (!onPath(p)) missing.add(p);
		if (missing.isEmpty()) return;
		final String message = "needs " + String.join(", ", missing) +
			" on the PATH (Debian: xvfb, twm, xdotool, imagemagick; .ci/run installs them)";
		final String ci = System.getenv("CI");
		if (ci != null && !ci.isEmpty() && !ci.equals("false")) Assertions.fail("Under CI: " +
			message);
		Assumptions.assumeTrue(false, message);
	}

	static boolean onPath(final String program) {
		for (final String dir : System.getenv("PATH").split(File.pathSeparator))
			if (Files.isExecutable(Paths.get(dir, program))) return true;
		return false;
	}

	/**
	 * Starts Xvfb on a free display number (Xvfb picks it: -displayfd) and twm on it, and checks
	 * that twm is running.
	 *
	 * @throws IOException if Xvfb does not start, or twm is missing or exits
	 */
	static XDisplay start() throws IOException, InterruptedException {
		return start(SCREEN);
	}

	/**
	 * As {@link #start()} on a screen of another size.
	 *
	 * @param screen Xvfb's screen, e.g. "1280x720x24" (a laptop's)
	 */
	static XDisplay start(final String screen) throws IOException, InterruptedException {
		final Process x = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", screen,
			"-nolisten", "tcp").redirectError(ProcessBuilder.Redirect.DISCARD).start();
		final BufferedReader r = new BufferedReader(new InputStreamReader(x.getInputStream(),
			StandardCharsets.US_ASCII));
		final String n = r.readLine();
		if (n == null) {
			x.destroyForcibly();
			throw new IOException("Xvfb did not start");
		}
		final String display = ":" + n.trim();
		final Path wmLog = Files.createTempFile("twm", ".log");
		final ProcessBuilder pb = new ProcessBuilder("twm", "-f", Paths.get(
			"src/test/resources/twmrc").toAbsolutePath().toString()).redirectErrorStream(true)
			.redirectOutput(wmLog.toFile());
		pb.environment().put("DISPLAY", display);
		pb.environment().put("LC_ALL", "C"); // ASCII titles: one font, not a font set per charset
		try {
			final Process wm = pb.start();
			if (wm.waitFor(WM_SETTLE_MS, TimeUnit.MILLISECONDS)) {
				x.destroyForcibly();
				throw new IOException("The window manager twm exited (status " + wm.exitValue() +
					") instead of running on " + display + "; the GUI tests need it to give windows " +
					"the focus. twm said: " + Files.readString(wmLog).trim());
			}
			return new XDisplay(x, wm, display);
		}
		catch (final IOException | InterruptedException | RuntimeException e) {
			x.destroyForcibly();
			throw e;
		}
		finally {
			Files.deleteIfExists(wmLog);
		}
	}

	/** @return a process builder for {@code cmd} on this display */
	ProcessBuilder process(final List<String> cmd) {
		final ProcessBuilder pb = new ProcessBuilder(cmd);
		pb.environment().put("DISPLAY", display);
		return pb;
	}

	/** Saves the whole screen as a PNG. */
	void screenshot(final Path png) throws IOException, InterruptedException {
		checkWindowManager(); // no title bars without it: the picture would not be what users see
		Files.createDirectories(png.toAbsolutePath().getParent());
		final Process p = process(List.of("import", "-window", "root", png.toAbsolutePath()
			.toString())).redirectErrorStream(true).start();
		final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
		if (p.exitValue() != 0) throw new IOException("import failed: " + out);
	}

	/** Runs xdotool with these arguments on this display. */
	void xdotool(final String... args) throws IOException, InterruptedException {
		final List<String> cmd = new ArrayList<>();
		cmd.add("xdotool");
		cmd.addAll(List.of(args));
		final Process p = process(cmd).redirectErrorStream(true).start();
		if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
	}

	/** @return what xdotool printed (standard output, trimmed) with these arguments */
	String xdotoolOutput(final String... args) throws IOException, InterruptedException {
		final List<String> cmd = new ArrayList<>();
		cmd.add("xdotool");
		cmd.addAll(List.of(args));
		final Process p = process(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
		final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
		return out.trim();
	}

	/** The java command running ImageJ 1.x from the packaged app, with extra class path. */
	static List<String> java(final Path app, final String extraClassPath) {
		final List<String> cmd = new ArrayList<>();
		cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
		cmd.add("-Dplugins.dir=" + app.toAbsolutePath());
		cmd.add("-cp");
		cmd.add(app.resolve("ij.jar") + File.pathSeparator + app.resolve("plugins") + "/*" +
			File.pathSeparator + app.resolve("plugins/jars") + "/*" + (extraClassPath == null ? ""
				: File.pathSeparator + extraClassPath));
		return cmd;
	}

	/**
	 * @throws IllegalStateException if the window manager has stopped since {@link #start()}
	 */
	void checkWindowManager() {
		if (!wm.isAlive()) throw new IllegalStateException("The window manager twm on " + display +
			" has stopped (status " + wm.exitValue() + "); windows get no focus without it.");
	}

	@Override
	public void close() {
		wm.destroy();
		xvfb.destroy();
		try {
			if (!xvfb.waitFor(10, TimeUnit.SECONDS)) xvfb.destroyForcibly();
		}
		catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
