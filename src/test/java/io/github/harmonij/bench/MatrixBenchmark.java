// SPDX-License-Identifier: MIT
package io.github.harmonij.bench;

import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import net.imglib2.parallel.Parallelization;

import io.github.harmonij.core.ComBat;
import io.github.harmonij.core.ComBatFit;
import io.github.harmonij.core.ComBatOptions;
import io.github.harmonij.core.Design;
import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.Progress;

/**
 * The matrix half of the side-by-side benchmark against R {@code sva::ComBat} (issue 6; a main,
 * not a test; driven by {@code scripts/benchmark-vs-sva.sh}). Three subcommands:
 * <ul>
 * <li>{@code synth DIR N V [SEED]}: writes a deterministic synthetic cohort matrix,
 * {@code DIR/matrix.f32} (raw little-endian float32, subject-major: subject 0's V features, then
 * subject 1's, ..., which R reads as a V x N features-by-subjects matrix) and
 * {@code DIR/design.csv} (subject, site, age, sex as 0/1). Four unbalanced sites (15/35/20/30 %),
 * integer ages 20-80 (exact in float32 and float64), per-feature age and sex effects, and per-site,
 * per-feature additive and multiplicative site effects.</li>
 * <li>{@code harmonij DIR [THREADS] [CHECK.f64]}: reads the matrix, then times parametric ComBat
 * fit + apply in place on float32 rows (the plug-in's own layout), and prints one line of
 * {@code key=value}: wall and process CPU seconds of fit + apply, peak heap (the matrix
 * included). With CHECK.f64 it then fits again (not timed) and writes the harmonised matrix in
 * float64, for {@code compare}.</li>
 * <li>{@code compare ORIGINAL A B}: max |A - B| over all cells, divided by the mean per-feature SD
 * of ORIGINAL (the metric of docs/peers); each of the three is {@code .f32} or {@code .f64},
 * subject-major.</li>
 * </ul>
 * Run with e.g. {@code -Xmx8g}; peak heap is measured, not the -Xmx.
 */
public final class MatrixBenchmark {

	/** Site sizes as fractions of N: unbalanced, as multi-site cohorts are. */
	private static final double[] SITE_FRACTIONS = { 0.15, 0.35, 0.20, 0.30 };

	private static final String[] SITES = { "A", "B", "C", "D" };

	private MatrixBenchmark() {}

	public static void main(final String[] args) throws IOException {
		if (args.length < 2) usage();
		switch (args[0]) {
			case "synth":
				synth(Paths.get(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
					args.length > 4 ? Long.parseLong(args[4]) : 6);
				break;
			case "harmonij":
				harmonij(Paths.get(args[1]), args.length > 2 ? Integer.parseInt(args[2]) : Runtime
					.getRuntime().availableProcessors(), args.length > 3 ? Paths.get(args[3]) : null);
				break;
			case "compare":
				compare(Paths.get(args[1]), Paths.get(args[2]), Paths.get(args[3]));
				break;
			default:
				usage();
		}
	}

	// -- Subcommands --

	private static void synth(final Path dir, final int n, final int nf, final long seed)
		throws IOException
	{
		Files.createDirectories(dir);
		final int[] sizes = siteSizes(n);
		final SplittableRandom r = new SplittableRandom(seed);
		final int[] site = new int[n], age = new int[n], sex = new int[n];
		for (int k = 0, j = 0; k < sizes.length; k++)
			for (int i = 0; i < sizes[k]; i++, j++) {
				site[j] = k;
				age[j] = 20 + r.nextInt(61);
				sex[j] = r.nextInt(2);
			}
		try (BufferedWriter w = Files.newBufferedWriter(dir.resolve("design.csv"),
			StandardCharsets.UTF_8))
		{
			w.write("subject,site,age,sex\n");
			for (int j = 0; j < n; j++)
				w.write(String.format(Locale.ROOT, "sub-%05d,%s,%d,%d%n", j + 1, SITES[site[j]],
					age[j], sex[j]));
		}
		// Per-feature truth: grey-matter-like means, age and sex effects, noise SD; per site and
		// feature a shift (gamma) and a noise scale (delta), drawn around a site-wide value.
		final double[] mu = new double[nf], slope = new double[nf], male = new double[nf],
			sd = new double[nf];
		final double[][] gamma = new double[SITES.length][nf], delta = new double[SITES.length][nf];
		final double[] siteShift = { 0, 0.04, -0.03, 0.02 }, siteScale = { 1.0, 1.4, 0.7, 1.15 };
		for (int v = 0; v < nf; v++) {
			mu[v] = 0.2 + 0.6 * r.nextDouble();
			slope[v] = -0.003 * mu[v] * (0.5 + r.nextDouble());
			male[v] = 0.02 * gaussian(r);
			sd[v] = 0.03 + 0.04 * r.nextDouble();
			for (int k = 0; k < SITES.length; k++) {
				gamma[k][v] = siteShift[k] + 0.01 * gaussian(r);
				delta[k][v] = siteScale[k] * Math.exp(0.1 * gaussian(r));
			}
		}
		final ByteBuffer buf = ByteBuffer.allocate(4 * nf).order(ByteOrder.LITTLE_ENDIAN);
		try (FileChannel ch = FileChannel.open(dir.resolve("matrix.f32"), StandardOpenOption.CREATE,
			StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
		{
			for (int j = 0; j < n; j++) {
				buf.clear();
				final int k = site[j];
				for (int v = 0; v < nf; v++)
					buf.putFloat((float) (mu[v] + slope[v] * (age[j] - 50) + male[v] * sex[j] +
						gamma[k][v] + delta[k][v] * sd[v] * gaussian(r)));
				buf.flip();
				while (buf.hasRemaining())
					ch.write(buf);
			}
		}
		System.out.printf(Locale.ROOT, "synth subjects=%d features=%d sites=%d/%d/%d/%d " +
			"matrix_mb=%.1f%n", n, nf, sizes[0], sizes[1], sizes[2], sizes[3], 4.0 * n * nf / 1e6);
	}

	private static void harmonij(final Path dir, final int threads, final Path check)
		throws IOException
	{
		final Design design = readDesign(dir.resolve("design.csv"));
		final int n = design.nSubjects();
		final float[][] rows = readF32(dir.resolve("matrix.f32"), n);
		final int nf = rows[0].length;
		final com.sun.management.OperatingSystemMXBean os =
			(com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
		final double[] t = new double[4];
		final int[] iterations = new int[design.nBatches()];
		// -Dwarmup=K: K untimed fits first (JIT compiled, as in a long-running Fiji session); the
		// default 0 times a cold JVM, as one command-line run is.
		final int warmup = Integer.getInteger("warmup", 0);
		for (int w = 0; w < warmup; w++)
			Parallelization.runWithNumThreads(threads, () -> {
				final FeatureMatrix m = new FeatureMatrix.FloatRows(rows);
				final float[][] scratch = new float[n][nf];
				ComBat.fit(m, design, ComBatOptions.defaults(), Progress.NONE, () -> false).apply(m,
					new FeatureMatrix.FloatRows(scratch), Progress.NONE, () -> false);
			});
		resetPeakHeap();
		Parallelization.runWithNumThreads(threads, () -> {
			final FeatureMatrix m = new FeatureMatrix.FloatRows(rows);
			final long c0 = os.getProcessCpuTime(), t0 = System.nanoTime();
			final ComBatFit fit = ComBat.fit(m, design, ComBatOptions.defaults(), Progress.NONE,
				() -> false);
			final long t1 = System.nanoTime();
			fit.apply(m, m, Progress.NONE, () -> false);
			final long t2 = System.nanoTime(), c2 = os.getProcessCpuTime();
			t[0] = (t1 - t0) * 1e-9;
			t[1] = (t2 - t1) * 1e-9;
			t[2] = (t2 - t0) * 1e-9;
			t[3] = (c2 - c0) * 1e-9;
			for (int b = 0; b < iterations.length; b++)
				iterations[b] = fit.iterations(b);
		});
		final double peakMb = peakHeap() / 1048576.0;
		final StringBuilder it = new StringBuilder();
		for (final int i : iterations)
			it.append(it.length() > 0 ? "/" : "").append(i);
		System.out.printf(Locale.ROOT, "harmonij subjects=%d features=%d threads=%d warmup=%d fit_s=%.3f " +
			"apply_s=%.3f wall_s=%.3f cpu_s=%.3f peak_heap_mb=%.1f matrix_mb=%.1f iterations=%s%n", n,
			nf, threads, warmup, t[0], t[1], t[2], t[3], peakMb, 4.0 * n * nf / 1048576, it);
		if (check != null) {
			// Not timed: the same fit, applied into float64 rows so that the comparison with sva
			// measures the algorithm, not float32 rounding of the output.
			final float[][] fresh = readF32(dir.resolve("matrix.f32"), n);
			final FeatureMatrix in = new FeatureMatrix.FloatRows(fresh);
			final double[][] out = new double[n][nf];
			Parallelization.runWithNumThreads(threads, () -> ComBat.fit(in, design, ComBatOptions
				.defaults(), Progress.NONE, () -> false).apply(in, new FeatureMatrix.DoubleRows(out),
					Progress.NONE, () -> false));
			writeF64(check, out);
		}
	}

	private static void compare(final Path original, final Path a, final Path b)
		throws IOException
	{
		final int nf = Math.toIntExact(nFeatures(original, a, b));
		final long n = Files.size(original) / bytesPer(original) / nf;
		final double[] sum = new double[nf], sum2 = new double[nf];
		double maxDiff = 0;
		long nanMismatch = 0;
		try (RowReader o = new RowReader(original, nf); RowReader ra = new RowReader(a, nf);
			RowReader rb = new RowReader(b, nf))
		{
			final double[] x = new double[nf], ya = new double[nf], yb = new double[nf];
			for (long j = 0; j < n; j++) {
				o.next(x);
				ra.next(ya);
				rb.next(yb);
				for (int v = 0; v < nf; v++) {
					sum[v] += x[v];
					sum2[v] += x[v] * x[v];
					if (Double.isNaN(ya[v]) != Double.isNaN(yb[v])) nanMismatch++;
					else if (!Double.isNaN(ya[v])) maxDiff = Math.max(maxDiff, Math.abs(ya[v] - yb[v]));
				}
			}
		}
		double meanSd = 0;
		for (int v = 0; v < nf; v++) {
			final double m = sum[v] / n;
			meanSd += Math.sqrt(Math.max(0, (sum2[v] - n * m * m) / (n - 1)));
		}
		meanSd /= nf;
		System.out.printf(Locale.ROOT, "compare subjects=%d features=%d max_abs_diff=%.3e " +
			"mean_feature_sd=%.4g max_diff_over_sd=%.3e nan_mismatches=%d%n", n, nf, maxDiff, meanSd,
			maxDiff / meanSd, nanMismatch);
	}

	// -- Helper methods --

	static int[] siteSizes(final int n) {
		final int[] sizes = new int[SITE_FRACTIONS.length];
		int rest = n;
		for (int k = 0; k < sizes.length - 1; k++) {
			sizes[k] = (int) Math.round(n * SITE_FRACTIONS[k]);
			rest -= sizes[k];
		}
		sizes[sizes.length - 1] = rest;
		return sizes;
	}

	/** design.csv (subject, site, age, sex 0/1) to a Design with covariates age and sex. */
	static Design readDesign(final Path csv) throws IOException {
		final List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
		final String[] header = lines.get(0).split(",");
		final int cSubject = indexOf(header, "subject", csv), cSite = indexOf(header, "site", csv),
			cAge = indexOf(header, "age", csv), cSex = indexOf(header, "sex", csv);
		final Map<String, Integer> levels = new LinkedHashMap<>();
		final List<String[]> rows = new ArrayList<>();
		for (final String line : lines.subList(1, lines.size()))
			if (!line.isEmpty()) rows.add(line.split(","));
		rows.stream().map(f -> f[cSite]).sorted().forEach(s -> levels.putIfAbsent(s, levels
			.size()));
		final int n = rows.size();
		final int[] batch = new int[n];
		final double[][] cov = new double[n][2];
		final String[] ids = new String[n];
		for (int j = 0; j < n; j++) {
			final String[] f = rows.get(j);
			batch[j] = levels.get(f[cSite]);
			cov[j][0] = Double.parseDouble(f[cAge]);
			cov[j][1] = Double.parseDouble(f[cSex]);
			ids[j] = f[cSubject];
		}
		return new Design(levels.keySet().toArray(new String[0]), batch, new String[] { "age",
			"sex" }, cov, ids);
	}

	private static int indexOf(final String[] header, final String name, final Path csv) {
		for (int i = 0; i < header.length; i++)
			if (header[i].trim().equals(name)) return i;
		throw new IllegalArgumentException(csv + ": no column \"" + name + "\"");
	}

	static float[][] readF32(final Path file, final int n) throws IOException {
		final long bytes = Files.size(file);
		if (bytes % (4L * n) != 0) throw new IllegalArgumentException(file + ": " + bytes +
			" bytes is not a multiple of 4 x " + n + " subjects");
		final int nf = Math.toIntExact(bytes / 4 / n);
		final float[][] rows = new float[n][];
		final ByteBuffer buf = ByteBuffer.allocate(4 * nf).order(ByteOrder.LITTLE_ENDIAN);
		try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
			for (int j = 0; j < n; j++) {
				buf.clear();
				while (buf.hasRemaining())
					if (ch.read(buf) < 0) throw new IOException(file + ": truncated");
				buf.flip();
				rows[j] = new float[nf];
				buf.asFloatBuffer().get(rows[j]);
			}
		}
		return rows;
	}

	static void writeF64(final Path file, final double[][] rows) throws IOException {
		final ByteBuffer buf = ByteBuffer.allocate(8 * rows[0].length).order(
			ByteOrder.LITTLE_ENDIAN);
		try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
			StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
		{
			for (final double[] row : rows) {
				buf.clear();
				buf.asDoubleBuffer().put(row);
				buf.position(buf.capacity());
				buf.flip();
				while (buf.hasRemaining())
					ch.write(buf);
			}
		}
	}

	private static int bytesPer(final Path p) {
		return p.toString().endsWith(".f64") ? 8 : 4;
	}

	/** The feature count implied by the three files' sizes, which must agree. */
	private static long nFeatures(final Path original, final Path a, final Path b)
		throws IOException
	{
		final long cellsO = Files.size(original) / bytesPer(original);
		if (Files.size(a) / bytesPer(a) != cellsO || Files.size(b) / bytesPer(b) != cellsO)
			throw new IllegalArgumentException("the three files hold different numbers of cells");
		final Path design = original.resolveSibling("design.csv");
		final long n = Files.readAllLines(design).stream().skip(1).filter(s -> !s.isEmpty()).count();
		return cellsO / n;
	}

	/** Reads subject-major rows of float32 or float64 as doubles. */
	private static final class RowReader implements AutoCloseable {

		private final FileChannel ch;

		private final ByteBuffer buf;

		private final boolean f64;

		RowReader(final Path p, final int nf) throws IOException {
			f64 = bytesPer(p) == 8;
			ch = FileChannel.open(p, StandardOpenOption.READ);
			buf = ByteBuffer.allocate((f64 ? 8 : 4) * nf).order(ByteOrder.LITTLE_ENDIAN);
		}

		void next(final double[] row) throws IOException {
			buf.clear();
			while (buf.hasRemaining())
				if (ch.read(buf) < 0) throw new IOException("truncated");
			buf.flip();
			for (int v = 0; v < row.length; v++)
				row[v] = f64 ? buf.getDouble() : buf.getFloat();
		}

		@Override
		public void close() throws IOException {
			ch.close();
		}
	}

	private static double gaussian(final SplittableRandom r) {
		// Box-Muller: SplittableRandom has no nextGaussian in Java 11
		final double u = 1 - r.nextDouble(), w = r.nextDouble();
		return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
	}

	private static void resetPeakHeap() {
		System.gc();
		for (final MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
			if (p.getType() == MemoryType.HEAP) p.resetPeakUsage();
	}

	/** Sum of the heap pools' peaks since the last reset (an upper bound on the true peak). */
	private static long peakHeap() {
		long s = 0;
		for (final MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans())
			if (p.getType() == MemoryType.HEAP) s += p.getPeakUsage().getUsed();
		return s;
	}

	private static void usage() {
		System.err.println("Usage: MatrixBenchmark synth DIR N V [SEED] | harmonij DIR [THREADS] " +
			"[CHECK.f64] | compare ORIGINAL A B   (files .f32 or .f64, subject-major)");
		System.exit(2);
	}
}
