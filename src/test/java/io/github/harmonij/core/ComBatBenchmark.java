// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.SplittableRandom;

/**
 * Speed and memory of the engine (a main, not a test). Parametric ComBat on 600 subjects x
 * 200 000 float32 features in memory, against a floor pass that reads and writes every value once;
 * non-parametric ComBat on 200 subjects x 20 000 features. Run with e.g. {@code -Xmx6g}.
 */
public final class ComBatBenchmark {

	public static void main(final String[] args) {
		final int n = arg(args, 0, 600), nf = arg(args, 1, 200_000);
		final int nNp = arg(args, 2, 200), nfNp = arg(args, 3, 20_000);
		System.out.printf("threads: %d available processors%n", Runtime.getRuntime()
			.availableProcessors());
		run(n, nf, EmpiricalBayes.PARAMETRIC, true);
		run(nNp, nfNp, EmpiricalBayes.NONPARAMETRIC, false);
	}

	private static void run(final int n, final int nf, final EmpiricalBayes eb,
		final boolean floor)
	{
		final int[] sizes = { n / 4, n / 4, n / 4, n - 3 * (n / 4) };
		final Design design = design(sizes);
		final float[][] rows = data(design, nf);
		final FeatureMatrix m = new FeatureMatrix.FloatRows(rows);
		resetPeak();
		double tFloor = Double.NaN;
		if (floor) {
			final long t0 = System.nanoTime();
			VoxelBlocks.forEachBlock(nf, Progress.NONE, () -> false, (b, from, to) -> {
				final double[] y = new double[to - from];
				for (int j = 0; j < n; j++) {
					m.get(j, from, to, y, 0);
					m.set(j, from, to, y, 0);
				}
			});
			tFloor = (System.nanoTime() - t0) * 1e-9;
		}
		final long t0 = System.nanoTime();
		final ComBatFit fit = ComBat.fit(m, design, ComBatOptions.defaults().withEb(eb),
			Progress.NONE, () -> false);
		final double tFit = (System.nanoTime() - t0) * 1e-9;
		final long t1 = System.nanoTime();
		fit.apply(m, m, Progress.NONE, () -> false);
		final double tApply = (System.nanoTime() - t1) * 1e-9, total = tFit + tApply;
		final double cells = (double) n * nf;
		System.out.printf("%s ComBat, %d subjects x %d features (float32, %.0f MB): fit %.2f s + " +
			"apply %.2f s = %.2f s, %.3g voxels x subjects / s%s; peak heap %.0f MB%n", eb.key(), n,
			nf, cells * 4 / 1e6, tFit, tApply, total, cells / total, eb == EmpiricalBayes.PARAMETRIC
				? ", iterations " + fit.iterations(0) + "/" + fit.iterations(1) + "/" + fit.iterations(
					2) + "/" + fit.iterations(3) : "", peakHeap() / 1e6);
		if (floor) System.out.printf("floor (read all + write all): %.2f s, %.3g values / s; " +
			"ComBat / floor = %.1f%n", tFloor, cells / tFloor, total / tFloor);
	}

	// -- Helper methods --

	private static Design design(final int[] sizes) {
		int n = 0;
		for (final int s : sizes)
			n += s;
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

	private static int arg(final String[] args, final int i, final int dflt) {
		return args.length > i ? Integer.parseInt(args[i]) : dflt;
	}
}
