// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.Arrays;
import java.util.SplittableRandom;

import net.imglib2.parallel.Parallelization;

/**
 * Speed and memory of the engine (a main, not a test), on all available processors as the
 * commands run it ({@code Parallelization.runWithNumThreads}):
 * <ul>
 * <li>parametric ComBat on 600 subjects x 200 000 float32 features in memory: seconds for the fit
 * and the apply, against a floor pass in the same run that reads and writes every value once
 * (the ratio is the "within 3x" target), values per second, and peak heap next to the
 * size of the matrix;</li>
 * <li>non-parametric ComBat on 200 subjects x 20 000 features, and with {@code --big} on
 * 200 x 200 000 (with progress every 10%).</li>
 * </ul>
 * Each timed run follows untimed warm-up runs, so the figures are for compiled code; the
 * parametric figures are medians of {@link #TIMED} runs (one run on a shared 2-core machine varies by 10-20%). Also prints the load average: the machine may be shared. Run with e.g.
 * {@code java -Xmx4g -cp target/classes:target/test-classes:$(cat cp.txt)
 * io.github.harmonij.core.ComBatBenchmark [--big] [subjects features [npSubjects npFeatures]]}.
 */
public final class ComBatBenchmark {

	/**
	 * Untimed runs on the same matrix first, so that C2 has compiled every hot loop (they harmonise
	 * it in place; the cost of a run does not depend on the values).
	 */
	private static final int WARM_UPS = 2;

	public static void main(final String[] args) {
		final boolean big = Arrays.asList(args).contains("--big");
		final String[] a = Arrays.stream(args).filter(s -> !s.startsWith("--")).toArray(
			String[]::new);
		final int n = arg(a, 0, 600), nf = arg(a, 1, 200_000);
		final int nNp = arg(a, 2, 200), nfNp = arg(a, 3, 20_000);
		final int threads = Runtime.getRuntime().availableProcessors();
		System.out.printf("threads: %d; load average at start %.2f%n", threads, load());
		Parallelization.runWithNumThreads(threads, () -> {
			parametric(n, nf);
			nonParametric(nNp, Math.min(nfNp, 2_000), false); // warm-up
			nonParametric(nNp, nfNp, true);
			if (big) nonParametric(200, 200_000, true);
		});
		System.out.printf("load average at end %.2f%n", load());
	}

	private static void parametric(final int n, final int nf) {
		final Design design = design(n);
		final FeatureMatrix m = new FeatureMatrix.FloatRows(data(design, nf));
		for (int i = 0; i < WARM_UPS; i++)
			parametric(design, m);
		final double[][] t = new double[TIMED][];
		for (int i = 0; i < TIMED; i++)
			t[i] = parametric(design, m);
		final double cells = (double) n * nf;
		final double floor = median(t, 0), fit = median(t, 1), apply = median(t, 2);
		final double cFloor = median(t, 3), cFit = median(t, 4), cApply = median(t, 5);
		final double total = median(t, 6), cTotal = median(t, 7);
		System.out.printf("parametric ComBat, %d subjects x %d features (float32 matrix %.0f MB); " +
			"medians of %d timed runs%n", n, nf, cells * 4 / 1e6, TIMED);
		System.out.printf("  floor (read all + write all, row by row): %.3f s (cpu %.2f s), %.3g " +
			"values/s%n", floor, cFloor, cells / floor);
		System.out.printf("  fit %.3f s (cpu %.2f s) + apply %.3f s (cpu %.2f s); fit + apply %.3f " +
			"s (cpu %.2f s), %.3g voxels x subjects/s%n", fit, cFit, apply, cApply, total, cTotal,
			cells / total);
		final StringBuilder runs = new StringBuilder();
		for (final double[] r : t)
			runs.append(String.format(" %.2f", r[6] / r[0]));
		System.out.printf("  ComBat / floor = %.2f (wall, median of the runs' ratios), %.2f (cpu); " +
			"each run:%s%n", median(ratios(t, 6, 0)), median(ratios(t, 7, 3)), runs);
		System.out.printf("  EB iterations per site %s; peak heap %.0f MB = %.2f x the matrix " +
			"(pool peaks summed: an upper bound)%n", lastIterations, peak / 1e6, peak / (cells * 4));
	}

	/** Timed runs after the warm-ups; the medians are printed. */
	private static final int TIMED = 5;

	private static String lastIterations = "";

	private static double peak;

	/**
	 * One floor pass, fit and apply (in place: the cost does not depend on the values; the
	 * iterations are printed).
	 *
	 * @return wall floor, fit, apply; cpu floor, fit, apply; wall and cpu fit + apply
	 */
	private static double[] parametric(final Design design, final FeatureMatrix m) {
		final int n = m.nSubjects(), nf = m.nFeatures();
		resetPeak();
		final long t0 = System.nanoTime();
		final double c0 = cpu();
		VoxelBlocks.forEachBlock(nf, Progress.NONE, () -> false, (b, from, to) -> {
			final double[] y = new double[to - from];
			for (int j = 0; j < n; j++) {
				m.get(j, from, to, y, 0);
				m.set(j, from, to, y, 0);
			}
		});
		final double tFloor = (System.nanoTime() - t0) * 1e-9, cFloor = cpu() - c0;
		final long t1 = System.nanoTime();
		final double c1 = cpu();
		final ComBatFit fit = ComBat.fit(m, design, ComBatOptions.defaults(), Progress.NONE,
			() -> false);
		final double tFit = (System.nanoTime() - t1) * 1e-9, cFit = cpu() - c1;
		final long t2 = System.nanoTime();
		final double c2 = cpu();
		fit.apply(m, m, Progress.NONE, () -> false);
		final double tApply = (System.nanoTime() - t2) * 1e-9, cApply = cpu() - c2;
		peak = Math.max(peak, peakHeap());
		lastIterations = iterations(fit);
		return new double[] { tFloor, tFit, tApply, cFloor, cFit, cApply, tFit + tApply, cFit +
			cApply };
	}

	private static double median(final double[][] t, final int i) {
		final double[] c = new double[t.length];
		for (int r = 0; r < t.length; r++)
			c[r] = t[r][i];
		return median(c);
	}

	private static double[] ratios(final double[][] t, final int num, final int den) {
		final double[] c = new double[t.length];
		for (int r = 0; r < t.length; r++)
			c[r] = t[r][num] / t[r][den];
		return c;
	}

	private static double median(final double[] c) {
		final double[] s = c.clone();
		Arrays.sort(s);
		return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
	}

	private static void nonParametric(final int n, final int nf, final boolean print) {
		final Design design = design(n);
		final FeatureMatrix m = new FeatureMatrix.FloatRows(data(design, nf));
		resetPeak();
		final long[] last = { -1 };
		final Progress progress = !print || nf < 100_000 ? Progress.NONE : (done, total) -> {
			final long decile = 10 * done / total;
			synchronized (last) {
				if (decile > last[0]) {
					last[0] = decile;
					System.out.printf("  ... %d%%%n", 10 * decile);
				}
			}
		};
		final long t0 = System.nanoTime();
		final double c0 = cpu();
		final ComBatFit fit = ComBat.fit(m, design, ComBatOptions.defaults().withEb(
			EmpiricalBayes.NONPARAMETRIC), progress, () -> false);
		final double tFit = (System.nanoTime() - t0) * 1e-9, cFit = cpu() - c0;
		final long t1 = System.nanoTime();
		fit.apply(m, m, Progress.NONE, () -> false);
		final double tApply = (System.nanoTime() - t1) * 1e-9;
		if (!print) return;
		System.out.printf("non-parametric ComBat, %d subjects x %d features: fit %.2f s (cpu %.1f s) " +
			"+ apply %.3f s; peak heap %.0f MB%n", n, nf, tFit, cFit, tApply, peakHeap() / 1e6);
	}

	// -- Helper methods --

	/** 4 sites of n / 4 subjects (the last takes the rest), integer ages 20-80 and sex. */
	private static Design design(final int n) {
		final int[] sizes = { n / 4, n / 4, n / 4, n - 3 * (n / 4) };
		final int[] batch = new int[n];
		final double[][] cov = new double[n][2];
		final String[] ids = new String[n];
		final SplittableRandom r = new SplittableRandom(1);
		for (int k = 0, j = 0; k < sizes.length; k++)
			for (int i = 0; i < sizes[k]; i++, j++) {
				batch[j] = k;
				cov[j][0] = 20 + r.nextInt(61);
				cov[j][1] = r.nextInt(2);
				ids[j] = "sub-" + j;
			}
		return new Design(new String[] { "A", "B", "C", "D" }, batch, new String[] { "age",
			"sex[M]" }, cov, ids);
	}

	private static float[][] data(final Design d, final int nf) {
		final int n = d.nSubjects();
		final float[][] rows = new float[n][nf];
		final SplittableRandom r = new SplittableRandom(2);
		final double[] shift = { 0, 0.05, -0.03, 0.02 }, scale = { 0.05, 0.08, 0.04, 0.06 };
		for (int j = 0; j < n; j++) {
			final int k = d.batch(j);
			final double age = d.covariate(j, 0);
			for (int v = 0; v < nf; v++)
				rows[j][v] = (float) (0.5 - 0.002 * age + shift[k] + scale[k] * SyntheticCohort
					.gaussian(r));
		}
		return rows;
	}

	private static String iterations(final ComBatFit fit) {
		final StringBuilder s = new StringBuilder();
		for (int k = 0; k < fit.design().nBatches(); k++)
			s.append(k == 0 ? "" : "/").append(fit.iterations(k));
		return s.toString();
	}

	private static void resetPeak() {
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

	/** CPU seconds of the whole process (all threads): less sensitive to other load than wall time. */
	private static double cpu() {
		final java.lang.management.OperatingSystemMXBean os = ManagementFactory
			.getOperatingSystemMXBean();
		return os instanceof com.sun.management.OperatingSystemMXBean
			? ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime() * 1e-9 : Double.NaN;
	}

	private static double load() {
		return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
	}

	private static int arg(final String[] args, final int i, final int dflt) {
		return args.length > i ? Integer.parseInt(args[i]) : dflt;
	}
}
