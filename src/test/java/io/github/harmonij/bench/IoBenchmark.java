// SPDX-License-Identifier: MIT
package io.github.harmonij.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;

import io.github.harmonij.cli.Harmonij;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;

/**
 * I/O of {@code harmonij combat} against the decompression floor, measured in the same run (a
 * main, not a test; GitHub issue 6):
 * <pre>
 * IoBenchmark COHORT_DIR [SUBJECTS] [THREADS] [--noise-outside] [combat options, e.g. --chunked]
 * </pre>
 * COHORT_DIR holds {@code cohort.csv}, {@code mask.nii.gz} and {@code images/} (simulated with
 * {@code harmonij simulate --subjects SUBJECTS --sites 4 --seed 6 --resolution 2} if it does not
 * exist). With {@code --noise-outside}, a cohort simulated here gets what real images carry
 * outside the brain mask (skull, noise, small probabilities): every voxel outside the mask
 * becomes {@code |N(0, 0.05)|} (seeded per image), and the images are written with gzip level 6
 * as most tools write them; the zero background of the simulator is the other extreme. In order: the inputs are read once to warm the page cache (so every figure is CPU, not
 * disk); floor 1, {@code gzip -dc} of every input to /dev/null, THREADS processes at a time;
 * floor 2, Java's GZIPInputStream over every input on THREADS threads; HarmonIJ's reader alone
 * ({@code NiftiIO.readVolume}, which also checks every gzip member's CRC-32 and length); the
 * {@code combat} run (in this JVM, its own timings from run.json); floor 3, writing as many
 * bytes as combat wrote into as many files, on THREADS threads, not compressed; and, for scale,
 * deflate level 1 of the outputs' uncompressed bytes. Prints the read and write times, the ratio
 * of combat's I/O (read + write) to the floor (gzip -dc + writing the same bytes), the whole
 * command's wall time against the same floor, how many times each input was decoded, the .nii.gz
 * outputs' size against what deflate level 1 makes of their content, and the peak heap (live and
 * raw) against the masked float32 matrix.
 */
public final class IoBenchmark {

	private IoBenchmark() {}

	public static void main(final String[] args) throws Exception {
		if (args.length < 1) {
			System.err.println("Usage: IoBenchmark COHORT_DIR [SUBJECTS] [THREADS] " +
				"[--noise-outside] [combat options]");
			System.exit(2);
		}
		final Path cohort = Paths.get(args[0]);
		final int subjects = args.length > 1 ? Integer.parseInt(args[1]) : 600;
		final int threads = args.length > 2 ? Integer.parseInt(args[2]) : Runtime.getRuntime()
			.availableProcessors();
		final List<String> extra = new ArrayList<>();
		for (int i = 3; i < args.length; i++)
			extra.add(args[i]);
		final boolean noise = extra.remove("--noise-outside");
		final PrintStream out = System.out;
		if (!Files.exists(cohort.resolve("cohort.csv"))) {
			out.println("simulating " + subjects + " subjects into " + cohort);
			check(new Harmonij(out, System.err).execute("simulate", "--out", cohort.toString(),
				"--subjects", String.valueOf(subjects), "--sites", "4", "--seed", "6", "--resolution",
				"2"));
			if (noise) addNoiseOutside(cohort);
		}
		final List<Path> inputs = list(cohort.resolve("images"));
		long inBytes = 0;
		for (final Path p : inputs)
			inBytes += Files.size(p);
		out.printf(Locale.ROOT, "cohort: %d images, %.1f MB compressed; %d threads; max heap %d MB%n",
			inputs.size(), inBytes / 1e6, threads, Runtime.getRuntime().maxMemory() >> 20);

		// -- Floors --
		parallel(inputs, threads, p -> {
			try (InputStream in = Files.newInputStream(p)) {
				in.transferTo(OutputStream.nullOutputStream());
			}
			return 0L;
		});
		final double gzipDc = gzipDc(inputs, threads);
		final long[] raw = new long[1];
		final double javaGunzip = time(() -> raw[0] = parallel(inputs, threads, p -> {
			try (InputStream in = new GZIPInputStream(Files.newInputStream(p), 1 << 16)) {
				return in.transferTo(OutputStream.nullOutputStream());
			}
		}));
		out.printf(Locale.ROOT, "floor: gzip -dc of the inputs %.2f s, Java GZIPInputStream %.2f s " +
			"(%.0f MB decompressed)%n", gzipDc, javaGunzip, raw[0] / 1e6);
		// The reader alone: decode to float32 and check every gzip member's CRC-32 and length.
		final double reader = time(() -> parallel(inputs, threads, p -> (long) NiftiIO.readVolume(p,
			0).length));
		out.printf(Locale.ROOT, "reader: NiftiIO.readVolume of the inputs (CRC-32 and length " +
			"checked) %.2f s: %.2f x GZIPInputStream, %.2f x gzip -dc%n", reader, reader / javaGunzip,
			reader / gzipDc);

		// -- combat --
		final Path result = Files.createTempDirectory(cohort.toAbsolutePath().getParent(),
			"io-bench-");
		Files.delete(result);
		final List<String> cmd = new ArrayList<>(List.of("--threads", String.valueOf(threads),
			"combat", "--manifest", cohort.resolve("cohort.csv").toString(), "--batch", "site",
			"--covariates", "age,sex", "--categorical", "sex", "--mask", cohort.resolve(
				"mask.nii.gz").toString(), "--out", result.toString()));
		cmd.addAll(extra);
		final long t0 = System.nanoTime();
		check(new Harmonij(out, new PrintStream(OutputStream.nullOutputStream())).execute(cmd
			.toArray(new String[0])));
		final double wall = (System.nanoTime() - t0) / 1e9;
		System.clearProperty("harmonij.threads");
		final String run = new String(Files.readAllBytes(result.resolve("run.json")),
			StandardCharsets.UTF_8);
		final double read = number(run, "read"), fit = number(run, "fit"), write = number(run,
			"write"), live = number(run, "peak_live_heap_mb"), peak = number(run, "peak_heap_mb");
		final long voxels = (long) number(run, "mask_voxels");
		final List<Path> outputs = list(result);
		long outBytes = 0;
		for (final Path p : outputs)
			outBytes += Files.size(p);

		// -- Floors for the writing --
		final Path scratch = Files.createTempDirectory(cohort.toAbsolutePath().getParent(),
			"io-bench-write-");
		final List<Path> sizes = outputs;
		final AtomicLong k = new AtomicLong();
		final double writeBytes = time(() -> parallel(sizes, threads, p -> {
			final byte[] b = new byte[(int) Files.size(p)];
			ThreadLocalRandom.current().nextBytes(b);
			Files.write(scratch.resolve("f" + k.incrementAndGet()), b);
			return (long) b.length;
		}));
		deleteTree(scratch);
		final long[] deflated = new long[2];
		final List<Path> gz = outputs.stream().filter(p -> p.toString().endsWith(".gz")).collect(
			Collectors.toList());
		long gzBytes = 0;
		for (final Path p : gz)
			gzBytes += Files.size(p);
		final double deflate = deflateLevel1(gz, threads, deflated);
		deleteTree(result);

		final double floor = gzipDc + writeBytes;
		final double matrixMb = 4.0 * voxels * inputs.size() / 1048576;
		// A thread holds a float32 volume whatever the inputs' datatype.
		final double volumeMb = 4.0 * NiftiIO.readHeader(inputs.get(0)).voxelsPerVolume() / 1048576;
		out.printf(Locale.ROOT, "combat%s: wall %.2f s; read %.2f s, fit %.2f s, write %.2f s " +
			"(%d files, %.1f MB)%n", extra.isEmpty() ? "" : " " + String.join(" ", extra), wall, read,
			fit, write, outputs.size(), outBytes / 1e6);
		out.printf(Locale.ROOT, "floor: writing the same bytes %.2f s; deflate level 1 of the " +
			"outputs' %.0f MB %.2f s%n", writeBytes, deflated[0] / 1e6, deflate);
		out.printf(Locale.ROOT, "I/O: read + write %.2f s vs floor (gzip -dc + write bytes) %.2f s:" +
			" ratio %.2f (read alone %.2f x gzip -dc; write alone %.2f x deflate level 1 + write " +
			"bytes)%n", read + write, floor, (read + write) / floor, read / gzipDc, write / (deflate +
				writeBytes));
		out.printf(Locale.ROOT, "whole run: wall %.2f s vs floor %.2f s: ratio %.2f; inputs " +
			"decoded %.2f times each; .nii.gz outputs %.1f MB vs %.1f MB at deflate level 1 (gzip " +
			"-1): ratio %.2f%n", wall, floor, wall / floor, number(run, "decodes_per_input"),
			gzBytes / 1e6, deflated[1] / 1e6, (double) gzBytes / deflated[1]);
		out.printf(Locale.ROOT, "heap: live peak %.1f MB, raw peak %.1f MB; masked float32 matrix " +
			"%.1f MB + one volume (%.1f MB) per thread = %.1f MB; live / that = %.2f%n", live, peak,
			matrixMb, volumeMb, matrixMb + threads * volumeMb, live / (matrixMb + threads *
				volumeMb));
	}

	// -- Helper methods --

	/** Replaces the zero background of every image with noise (see the class javadoc). */
	private static void addNoiseOutside(final Path cohort) throws Exception {
		final float[] mask = NiftiIO.readVolume(cohort.resolve("mask.nii.gz"), 0);
		final List<Path> images = list(cohort.resolve("images"));
		parallel(images, Runtime.getRuntime().availableProcessors(), p -> {
			final NiftiHeader h = NiftiIO.readHeader(p);
			final float[] v = NiftiIO.readVolume(p, 0);
			final SplittableRandom random = new SplittableRandom(p.getFileName().toString()
				.hashCode());
			for (int i = 0; i < v.length; i++)
				if (mask[i] == 0) v[i] = (float) Math.abs(0.05 * gaussian(random));
			Files.delete(p);
			NiftiIO.write(p, h, v, 1, 6);
			return 0L;
		});
	}

	/** A standard normal deviate (Box-Muller). */
	private static double gaussian(final SplittableRandom r) {
		return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
	}

	private interface FileTask {

		long run(Path p) throws IOException;
	}

	private interface Timed {

		void run() throws Exception;
	}

	private static double time(final Timed t) throws Exception {
		final long t0 = System.nanoTime();
		t.run();
		return (System.nanoTime() - t0) / 1e9;
	}

	private static long parallel(final List<Path> files, final int threads, final FileTask task)
		throws Exception
	{
		final ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			final List<Future<Long>> f = new ArrayList<>();
			for (final Path p : files)
				f.add(pool.submit(() -> task.run(p)));
			long sum = 0;
			for (final Future<Long> x : f)
				sum += x.get();
			return sum;
		}
		finally {
			pool.shutdown();
		}
	}

	/** gzip -dc of every file to /dev/null, {@code threads} processes at a time (xargs -P). */
	private static double gzipDc(final List<Path> files, final int threads) throws Exception {
		final Path list = Files.createTempFile("io-bench", ".txt");
		Files.write(list, files.stream().map(Path::toString).collect(Collectors.toList()));
		final ProcessBuilder pb = new ProcessBuilder("sh", "-c", "xargs -P " + threads +
			" -n 16 gzip -dc < '" + list + "' > /dev/null");
		pb.redirectErrorStream(true);
		final long t0 = System.nanoTime();
		final int status = pb.start().waitFor();
		final double s = (System.nanoTime() - t0) / 1e9;
		Files.delete(list);
		if (status != 0) throw new IllegalStateException("gzip -dc failed: " + status);
		return s;
	}

	/**
	 * Deflate level 1 of the decompressed content of each .gz file (decompression not timed):
	 * {@code bytes[0]} the content, {@code bytes[1]} the deflated size (raw deflate: gzip's 18-byte
	 * header and trailer per file left out).
	 */
	private static double deflateLevel1(final List<Path> files, final int threads,
		final long[] bytes) throws Exception
	{
		final AtomicLong nanos = new AtomicLong(), total = new AtomicLong(), packed =
			new AtomicLong();
		parallel(files, threads, p -> {
			final byte[] content;
			try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
				content = in.readAllBytes();
			}
			final long t0 = System.nanoTime();
			final Deflater d = new Deflater(1, true);
			d.setInput(content);
			d.finish();
			final byte[] buf = new byte[1 << 20];
			while (!d.finished())
				packed.addAndGet(d.deflate(buf));
			d.end();
			nanos.addAndGet(System.nanoTime() - t0);
			total.addAndGet(content.length);
			return 0L;
		});
		bytes[0] = total.get();
		bytes[1] = packed.get();
		return nanos.get() / 1e9 / threads;
	}

	private static List<Path> list(final Path root) throws IOException {
		try (Stream<Path> s = Files.walk(root)) {
			return s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
		}
	}

	private static void deleteTree(final Path root) throws IOException {
		try (Stream<Path> s = Files.walk(root)) {
			for (final Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator)
				Files.delete(p);
		}
	}

	private static double number(final String json, final String key) {
		final Matcher m = Pattern.compile("\"" + key + "\": *([-0-9.eE]+)").matcher(json);
		if (!m.find()) throw new IllegalStateException(key + " not in run.json");
		return Double.parseDouble(m.group(1));
	}

	private static void check(final int status) {
		if (status != 0) throw new IllegalStateException("harmonij exited with " + status);
	}
}
