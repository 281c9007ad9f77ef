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

/**
 * A private X display for one test: Xvfb at 1600x1000 (and twm, when installed, so windows have
 * titles), and screenshots with ImageMagick's {@code import}. Closing stops both.
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

	/** @return whether Xvfb is on the PATH */
	static boolean available() {
		return onPath("Xvfb");
	}

	static boolean onPath(final String program) {
		for (final String dir : System.getenv("PATH").split(File.pathSeparator))
			if (Files.isExecutable(Paths.get(dir, program))) return true;
		return false;
	}

	/** Starts Xvfb on a free display number (Xvfb picks it: -displayfd) and twm if present. */
	static XDisplay start() throws IOException, InterruptedException {
		final Process x = new ProcessBuilder("Xvfb", "-displayfd", "1", "-screen", "0", SCREEN,
			"-nolisten", "tcp").redirectError(ProcessBuilder.Redirect.DISCARD).start();
		final BufferedReader r = new BufferedReader(new InputStreamReader(x.getInputStream(),
			StandardCharsets.US_ASCII));
		final String n = r.readLine();
		if (n == null) {
			x.destroyForcibly();
			throw new IOException("Xvfb did not start");
		}
		final String display = ":" + n.trim();
		Process wm = null;
		if (onPath("twm")) {
			final ProcessBuilder pb = new ProcessBuilder("twm", "-f", Paths.get(
				"src/test/resources/twmrc").toAbsolutePath().toString()).redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD);
			pb.environment().put("DISPLAY", display);
			wm = pb.start();
			Thread.sleep(500);
		}
		return new XDisplay(x, wm, display);
	}

	/** @return a process builder for {@code cmd} on this display */
	ProcessBuilder process(final List<String> cmd) {
		final ProcessBuilder pb = new ProcessBuilder(cmd);
		pb.environment().put("DISPLAY", display);
		return pb;
	}

	/** Saves the whole screen as a PNG. */
	void screenshot(final Path png) throws IOException, InterruptedException {
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

	@Override
	public void close() {
		if (wm != null) wm.destroy();
		xvfb.destroy();
		try {
			if (!xvfb.waitFor(10, TimeUnit.SECONDS)) xvfb.destroyForcibly();
		}
		catch (final InterruptedException e) {
			Thread.currentThread().interrupt();
		}
	}
}
