// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.io.Json;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.io.OutputFolder;

/**
 * Faults injected into real {@code harmonij combat} runs (child JVMs running
 * {@link Harmonij#main}): SIGTERM at seeded random points of each phase (read, fit, write,
 * commit), SIGKILL followed by a new run, a full disk, and a second run on the same folder. After
 * each, the output folder is complete (every file run.json lists, with its size) or absent, and no
 * work area is left.
 */
class FaultInjectionIT {

	/** Phases, by the first status line of each (the commit phase: "Writing the model ..."). */
	static final String[] PHASES = { "read", "fit", "write", "commit" };

	static final int RUNS = 20;

	static final long SEED = 20240611L;

	@TempDir
	static Path dir;

	static Path manifest;

	/** Calibrated length of each phase (ms) in an undisturbed run. */
	static final long[] phaseMs = new long[PHASES.length];

	/** Small cohort: 12 images of 40^3 voxels at 3 sites with planted site effects. */
	@BeforeAll
	static void cohort() throws IOException, InterruptedException {
		final int n = 40;
		final NiftiHeader h = NiftiHeader.builder().size(n, n, n, 1).pixdim(new double[] { 1, 2, 2,
			2, 1, 1, 1, 1 }).xyztUnits(2 | 8).sformCode(2).srow(new double[][] { { 2, 0, 0, -40 },
				{ 0, 2, 0, -40 }, { 0, 0, 2, -40 } }).descrip("fault injection").build();
		final Random r = new Random(SEED);
		final StringBuilder csv = new StringBuilder("subject,image,site,age\n");
		Files.createDirectories(dir.resolve("images"));
		for (int j = 0; j < 12; j++) {
			final float[] v = new float[n * n * n];
			for (int i = 0; i < v.length; i++)
				v[i] = (float) (0.5 + 0.1 * (j % 3) + 0.05 * r.nextGaussian() * (1 + j % 3));
			final String name = String.format("sub-%02d.nii.gz", j);
			NiftiIO.write(dir.resolve("images").resolve(name), h, v, 1);
			csv.append(String.format("sub-%02d,images/%s,S%d,%d\n", j, name, j % 3, 40 + 3 * j));
		}
		manifest = dir.resolve("cohort.csv");
		Files.write(manifest, csv.toString().getBytes(StandardCharsets.UTF_8));
		final Child c = Child.start(dir.resolve("calibration"));
		assertEquals(0, c.waitFor(), c.err());
		for (int p = 0; p < PHASES.length; p++)
			phaseMs[p] = Math.max(1, (p + 1 < PHASES.length ? c.phaseStart[p + 1] : c.endNanos) -
				c.phaseStart[p]) / 1_000_000L;
		assertComplete(dir.resolve("calibration"));
	}

	@Test
	void sigtermAtRandomPointsOfEachPhase() throws Exception {
		final Random r = new Random(SEED);
		final long[] delays = new long[RUNS];
		for (int i = 0; i < RUNS; i++)
			delays[i] = (long) (r.nextDouble() * phaseMs[i % PHASES.length]);
		final AtomicInteger stoppedEmpty = new AtomicInteger(), stoppedAfterCommit =
			new AtomicInteger(), finished = new AtomicInteger(), withReason = new AtomicInteger();
		final AtomicLong slowestExitMs = new AtomicLong();
		// Two at a time (each child uses one thread): about half the wall time on two cores.
		final ExecutorService pool = Executors.newFixedThreadPool(2);
		final List<Future<?>> runs = new ArrayList<>();
		for (int i = 0; i < RUNS; i++) {
			final int run = i, phase = i % PHASES.length;
			runs.add(pool.submit(() -> {
				final Path out = dir.resolve("term-" + run);
				final Child c = Child.start(out);
				c.awaitPhase(phase);
				Thread.sleep(delays[run]);
				final long t0 = System.nanoTime();
				// SIGTERM (Process.destroy would also close our end of the child's stderr)
				c.process.toHandle().destroy();
				final int status = c.waitFor();
				slowestExitMs.accumulateAndGet((System.nanoTime() - t0) / 1_000_000L, Math::max);
				final String what = "SIGTERM run " + run + " in " + PHASES[phase] + " +" +
					delays[run] + " ms";
				assertNoWorkArea(out, what);
				if (Files.exists(out)) {
					assertComplete(out);
					assertTrue(status == 0 || status == 143, what + ": exit " + status + c.err());
					(status == 0 ? finished : stoppedAfterCommit).incrementAndGet();
				}
				else {
					assertEquals(143, status, what + ": nothing committed, so stopped: " + c.err());
					if (c.err().contains("Stopped by a signal")) withReason.incrementAndGet();
					stoppedEmpty.incrementAndGet();
				}
				return null;
			}));
		}
		pool.shutdown();
		for (final Future<?> f : runs)
			f.get();
		assertTrue(stoppedEmpty.get() > 0, "some signals should land before the commit; of " + RUNS +
			" SIGTERM (seed " + SEED + "): " + stoppedEmpty + " stopped with nothing left (" +
			withReason + " printed the reason), " + stoppedAfterCommit + " stopped after the commit, " +
			finished + " finished first; slowest exit after the signal " + slowestExitMs + " ms");
	}

	@Test
	void sigkillLeavesAWorkAreaThatTheNextRunCleans() throws Exception {
		final Path out = dir.resolve("kill");
		final Child c = Child.start(out);
		c.awaitPhase(2);
		c.process.destroyForcibly(); // SIGKILL: nothing can run
		assertEquals(137, c.waitFor());
		final Path work = dir.resolve(".kill.partial");
		assertTrue(Files.isRegularFile(work.resolve(OutputFolder.MARKER)), "left with its marker");
		final Child again = Child.start(out);
		assertEquals(0, again.waitFor(), again.err());
		assertComplete(out);
		assertNoWorkArea(out, "after the run that cleaned it");
	}

	@Test
	void aSecondRunOnTheSameFolderIsRefusedAtOnce() throws Exception {
		final Path out = dir.resolve("twice");
		final Child first = Child.start(out);
		first.awaitPhase(1);
		// Paused while the second starts, so that the first is still writing however slow
		// the second JVM is to start.
		signal("STOP", first.process);
		final Child second;
		final int s2;
		try {
			second = Child.start(out);
			s2 = second.waitFor();
		}
		finally {
			signal("CONT", first.process);
		}
		assertEquals(2, s2, second.err());
		assertTrue(second.err().contains(out + " is being written by another HarmonIJ run (pid " +
			first.process.pid() + ", started "), second.err());
		assertEquals(0, first.waitFor(), first.err());
		assertComplete(out);
		assertNoWorkArea(out, "two runs");
	}

	@Test
	void aFullDiskLeavesNothing() throws Exception {
		final Path disk = Files.createDirectories(dir.resolve("tiny"));
		final Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs",
			disk.toString()).redirectErrorStream(true).start();
		final boolean mounted = mount.waitFor(10, TimeUnit.SECONDS) && mount.exitValue() == 0;
		Assumptions.assumeTrue(mounted, "cannot mount a 2 MB tmpfs here (needs root): full-disk " +
			"case skipped");
		try {
			final Path out = disk.resolve("out");
			final Child c = Child.start(out);
			final int status = c.waitFor();
			assertEquals(2, status, c.err());
			assertTrue(c.err().contains("the disk is full") && c.err().contains("Free some space"),
				c.err());
			assertFalse(Files.exists(out), "nothing committed");
			assertNoWorkArea(out, "full disk");
			try (Stream<Path> s = Files.list(disk)) {
				assertEquals(List.of(), s.collect(Collectors.toList()), "the disk is left empty");
			}
		}
		finally {
			new ProcessBuilder("umount", disk.toString()).start().waitFor(10, TimeUnit.SECONDS);
		}
	}

	// -- Helper methods --

	/** Every file run.json lists is there with its size; nothing else but run.json. */
	static void assertComplete(final Path out) throws IOException {
		final Map<?, ?> json = (Map<?, ?>) Json.read(new String(Files.readAllBytes(out
			.resolve("run.json")), StandardCharsets.UTF_8));
		final List<?> outputs = (List<?>) json.get(OutputFolder.OUTPUTS);
		assertTrue(outputs.size() >= 2 * 12, out + ": " + outputs.size() + " outputs listed");
		for (final Object o : outputs) {
			final Map<?, ?> e = (Map<?, ?>) o;
			final Path f = out.resolve((String) e.get("file"));
			assertTrue(Files.isRegularFile(f), f + " missing");
			assertEquals(((Number) e.get("bytes")).longValue(), Files.size(f), f + " size");
		}
		try (Stream<Path> s = Files.walk(out)) {
			assertEquals(outputs.size() + 1, s.filter(Files::isRegularFile).count(), out +
				": files other than those listed");
		}
	}

	static void signal(final String name, final Process p) throws Exception {
		assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).start()
			.waitFor(), "kill -" + name);
	}

	static void assertNoWorkArea(final Path out, final String what) {
		assertFalse(Files.exists(out.resolveSibling("." + out.getFileName() + ".partial")), what +
			": work area left");
	}

	/** A {@code harmonij combat} run in its own JVM, with the times its phases began. */
	static final class Child {

		final Process process;

		final long[] phaseStart = new long[PHASES.length];

		long endNanos;

		private final StringBuilder err = new StringBuilder();

		private final Thread reader;

		private Child(final Process process) {
			this.process = process;
			reader = new Thread(this::read, "child stderr");
			reader.setDaemon(true);
			reader.start();
		}

		static Child start(final Path out) throws IOException {
			final List<String> cmd = new ArrayList<>();
			cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
			cmd.add("-Djava.awt.headless=true");
			cmd.add("-Xmx512m");
			cmd.add("-cp");
			cmd.add(classPath());
			cmd.add(Harmonij.class.getName());
			for (final String a : new String[] { "--threads", "1", "combat", "--manifest", manifest
				.toString(), "--covariates", "age", "--out", out.toString() })
				cmd.add(a);
			return new Child(new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start());
		}

		/** The packaged app (as the launcher runs it), or this JVM's class path. */
		private static String classPath() {
			final String app = System.getProperty("harmonij.app");
			if (app != null && Files.isRegularFile(Paths.get(app, "ij.jar"))) return String.join(
				File.pathSeparator, app + "/ij.jar", app + "/plugins/*", app + "/plugins/jars/*");
			return System.getProperty("java.class.path");
		}

		private void read() {
			try (BufferedReader r = new BufferedReader(new InputStreamReader(process
				.getErrorStream(), StandardCharsets.UTF_8)))
			{
				int phase = -1;
				for (String line; (line = r.readLine()) != null;) {
					final long now = System.nanoTime();
					final int next = line.startsWith("Reading ") ? 0 : line.startsWith("Fitting ") ? 1
						: line.startsWith("Harmonising and writing") ? 2 : line.startsWith(
							"Writing the model") ? 3 : -1;
					synchronized (this) {
						err.append(line).append('\n');
						if (next > phase) {
							phase = next;
							phaseStart[next] = now;
							notifyAll();
						}
					}
				}
			}
			catch (final IOException e) {
				// the process ended
			}
		}

		synchronized void awaitPhase(final int phase) throws InterruptedException {
			final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (phaseStart[phase] == 0 && process.isAlive() && System.nanoTime() < deadline)
				wait(100);
			if (phaseStart[phase] == 0) fail("phase " + PHASES[phase] + " never began: " + err);
		}

		/** Waits for the end (a hang guard, not a timing assertion) and the whole stderr. */
		int waitFor() throws InterruptedException {
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				fail("the run did not end within 60 s: " + err());
			}
			endNanos = System.nanoTime();
			reader.join(10_000);
			return process.exitValue();
		}

		synchronized String err() {
			return "\n" + err;
		}
	}
}
