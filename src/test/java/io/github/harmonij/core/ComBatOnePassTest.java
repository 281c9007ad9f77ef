// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import net.imglib2.parallel.Parallelization;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The one-pass fit from per-site sufficient statistics ({@link SiteSums}) against the two-pass
 * path (the algorithm of the sva conformance tests, {@code ComBat.fit(..., false)}), on data
 * where sums of squares cancel badly without the shift: volumes 3000 +- 400, T1 intensities
 * 1000 +- 5, a site whose first subject is an outlier, a covariate explaining 99% of the
 * variance, fractional ages; with constant, constant-in-site and non-finite features mixed in.
 */
class ComBatOnePassTest {

	/**
	 * max |one-pass - two-pass| / SD_v over all cells and fitted parameters (relative to their
	 * scale). Both are double algebra on the same numbers in a different order: observed up to
	 * 7e-13 (T1-like and 99%-R^2 features; the outputs of both paths are within 1.3e-13 of SD of a
	 * run on T1 data shifted by -1000, which does not cancel); the sva budget is 1e-12 of SD.
	 */
	static final double ONE_PASS_TOL = 1e-12;

	private static final int[] SIZES = { 30, 45, 20, 60 };

	/** base, SD, age effect per year, site shifts in SD */
	private static final double[][] KINDS = { { 3000, 400, -8, 0.5 }, { 1000, 5, 0.02, 0.8 }, {
		50, 1, 0.5, 1 } }; // the last: age explains ~99% of the variance

	@TestFactory
	Stream<DynamicTest> onePassMatchesTwoPass() {
		final List<DynamicTest> tests = new ArrayList<>();
		final ComBatOptions[] options = { ComBatOptions.defaults(), ComBatOptions.defaults()
			.withRefBatch("S2"), ComBatOptions.defaults().withMeanOnly(true), ComBatOptions.defaults()
				.withEb(EmpiricalBayes.NONE), ComBatOptions.defaults().withEb(
					EmpiricalBayes.NONPARAMETRIC) };
		for (final boolean float32 : new boolean[] { false, true })
			for (final ComBatOptions o : options)
				tests.add(DynamicTest.dynamicTest((float32 ? "float32 " : "float64 ") + o, () -> {
					final Design d = design();
					final double[][] y = data(d, float32);
					final double worst = compare(y, d, o, float32);
					assertTrue(worst <= ONE_PASS_TOL, (float32 ? "float32 " : "float64 ") + o +
						": max |one-pass - two-pass| / SD " + worst);
				}));
		return tests.stream();
	}

	@Test
	void sameBitsForAnyThreadCount() {
		final Design d = design();
		final double[][] y = data(d, false);
		final double[][] a = CombatReferenceTest.copy(y), b = CombatReferenceTest.copy(y);
		Parallelization.runSingleThreaded(() -> ComBatInvariantsTest.harmonise(a, d, ComBatOptions
			.defaults()));
		Parallelization.runWithNumThreads(4, () -> ComBatInvariantsTest.harmonise(b, d,
			ComBatOptions.defaults()));
		for (int j = 0; j < a.length; j++)
			assertArrayEquals(a[j], b[j], "subject " + j);
	}

	/**
	 * float32 rows read and written four subjects side by side ({@link FeatureMatrix.FloatRows})
	 * give the bits of the one-subject-at-a-time default methods, in the fit and in the apply.
	 */
	@Test
	void groupedRowAccessSameBits() {
		final Design d = design();
		final double[][] y = data(d, true);
		final FeatureMatrix.FloatRows rows = (FeatureMatrix.FloatRows) matrix(y, true);
		final FeatureMatrix plain = new FeatureMatrix() { // only the one-subject methods

			@Override
			public int nSubjects() {
				return rows.nSubjects();
			}

			@Override
			public int nFeatures() {
				return rows.nFeatures();
			}

			@Override
			public void get(final int j, final int from, final int to, final double[] dst,
				final int offset)
			{
				rows.get(j, from, to, dst, offset);
			}

			@Override
			public void set(final int j, final int from, final int to, final double[] src,
				final int offset)
			{
				rows.set(j, from, to, src, offset);
			}
		};
		final ComBatFit a = ComBat.fit(rows, d, ComBatOptions.defaults(), Progress.NONE, () -> false);
		final ComBatFit b = ComBat.fit(plain, d, ComBatOptions.defaults(), Progress.NONE,
			() -> false);
		for (int v = 0; v < y[0].length; v++) {
			assertEquals(a.grandMean(v), b.grandMean(v), 0, "grand mean " + v);
			assertEquals(a.varPooled(v), b.varPooled(v), 0, "pooled variance " + v);
			for (int k = 0; k < d.nBatches(); k++)
				assertEquals(a.gammaStar(k, v), b.gammaStar(k, v), 0, "gamma* " + k + ", " + v);
		}
		final float[][] before = new float[y.length][];
		for (int j = 0; j < y.length; j++)
			before[j] = rows.rows()[j].clone();
		final double[][] outA = new double[y.length][y[0].length];
		a.apply(rows, new FeatureMatrix.DoubleRows(outA), Progress.NONE, () -> false);
		b.apply(plain, plain, Progress.NONE, () -> false); // in place, through the defaults
		for (int j = 0; j < y.length; j++)
			for (int v = 0; v < y[0].length; v++)
				assertEquals(Float.floatToIntBits((float) outA[j][v]), Float.floatToIntBits(rows
					.rows()[j][v]), "subject " + j + ", feature " + v + " (was " + before[j][v] + ")");
	}

	/**
	 * {@link HarmonisationModel.Adjustment} (whole rows, one subject at a time; and the view for
	 * statistics) gives the float32 bits of {@link HarmonisationModel#apply}, with constant and
	 * non-finite features, a reference site, mean-only, and the linear adjustment.
	 */
	@Test
	void adjustmentRowsSameBitsAsApply() {
		final Design d = design();
		final double[][] y = data(d, true);
		final HarmonisationFit[] fits = { ComBat.fit(matrix(y, true), d, ComBatOptions.defaults(),
			Progress.NONE, () -> false), ComBat.fit(matrix(y, true), d, ComBatOptions.defaults()
				.withRefBatch("S2"), Progress.NONE, () -> false), ComBat.fit(matrix(y, true), d,
					ComBatOptions.defaults().withMeanOnly(true), Progress.NONE, () -> false),
			SiteRegression.fit(matrix(y, true), d, null, Progress.NONE, () -> false) };
		for (final HarmonisationFit fit : fits) {
			final FeatureMatrix.FloatRows in = (FeatureMatrix.FloatRows) matrix(y, true);
			final float[][] applied = new float[y.length][y[0].length];
			fit.apply(in, new FeatureMatrix.FloatRows(applied), Progress.NONE, () -> false);
			final HarmonisationModel.Adjustment a = fit.model().adjustment(d);
			final FeatureMatrix view = a.view(in);
			final double[] viewed = new double[y[0].length];
			final float[] row = new float[y[0].length];
			for (int j = 0; j < y.length; j++) {
				a.adjustRow(j, in.rows()[j], row);
				view.get(j, 0, y[0].length, viewed, 0);
				for (int v = 0; v < row.length; v++) {
					assertEquals(Float.floatToIntBits(applied[j][v]), Float.floatToIntBits(row[v]), fit
						.model().kind() + ": subject " + j + ", feature " + v);
					assertEquals(applied[j][v], viewed[v], 0, "view: subject " + j + ", feature " + v);
				}
			}
		}
	}

	// -- Helper methods --

	private static double compare(final double[][] y, final Design d, final ComBatOptions o,
		final boolean float32)
	{
		final FeatureMatrix in = matrix(y, float32);
		final ComBatFit one = ComBat.fit(in, d, o, Progress.NONE, () -> false);
		final ComBatFit two = ComBat.fit(in, d, o, Progress.NONE, () -> false, false);
		final double[][] out1 = new double[y.length][y[0].length];
		final double[][] out2 = new double[y.length][y[0].length];
		one.apply(in, new FeatureMatrix.DoubleRows(out1), Progress.NONE, () -> false);
		two.apply(in, new FeatureMatrix.DoubleRows(out2), Progress.NONE, () -> false);
		double worst = 0;
		for (int v = 0; v < y[0].length; v++) {
			assertEquals(two.status(v), one.status(v), "status of feature " + v);
			if (one.status(v) != FeatureStatus.HARMONISED) {
				for (int j = 0; j < y.length; j++)
					assertEquals(Double.doubleToLongBits(y[j][v]), Double.doubleToLongBits(out1[j][v]),
						"copied feature " + v);
				continue;
			}
			final double sd = Math.sqrt(two.varPooled(v));
			for (int j = 0; j < y.length; j++)
				worst = Math.max(worst, Math.abs(out1[j][v] - out2[j][v]) / sd);
			worst = Math.max(worst, Math.abs(one.grandMean(v) - two.grandMean(v)) / sd);
			worst = Math.max(worst, Math.abs(one.varPooled(v) / two.varPooled(v) - 1));
			for (int k = 0; k < d.nBatches(); k++) {
				worst = Math.max(worst, Math.abs(one.gammaHat(k, v) - two.gammaHat(k, v)));
				worst = Math.max(worst, Math.abs(one.deltaHatSq(k, v) / two.deltaHatSq(k, v) - 1));
				worst = Math.max(worst, Math.abs(one.gammaStar(k, v) - two.gammaStar(k, v)));
				worst = Math.max(worst, Math.abs(one.deltaStar(k, v) / two.deltaStar(k, v) - 1));
			}
		}
		return worst;
	}

	private static FeatureMatrix matrix(final double[][] y, final boolean float32) {
		if (!float32) return new FeatureMatrix.DoubleRows(y);
		final float[][] f = new float[y.length][y[0].length];
		for (int j = 0; j < y.length; j++)
			for (int v = 0; v < y[0].length; v++)
				f[j][v] = (float) y[j][v];
		return new FeatureMatrix.FloatRows(f);
	}

	/** 4 unbalanced sites; fractional ages 20-80 and sex. */
	private static Design design() {
		int n = 0;
		for (final int s : SIZES)
			n += s;
		final SplittableRandom r = new SplittableRandom(7);
		final int[] batch = new int[n];
		final double[][] cov = new double[n][2];
		final String[] ids = new String[n];
		for (int k = 0, j = 0; k < SIZES.length; k++)
			for (int i = 0; i < SIZES[k]; i++, j++) {
				batch[j] = k;
				cov[j][0] = 20 + 60 * r.nextDouble();
				cov[j][1] = r.nextInt(2);
				ids[j] = "sub-" + j;
			}
		return new Design(new String[] { "S1", "S2", "S3", "S4" }, batch, new String[] { "age",
			"sex[M]" }, cov, ids);
	}

	/**
	 * 600 features, 200 of each kind; feature 3 of each kind has an outlier (+6 SD) as the first
	 * subject of every site; features 10 and 11 are constant, 12 is constant in site S3, 13 has a
	 * NaN and 14 an infinity. Values are rounded to float32 if asked.
	 */
	private static double[][] data(final Design d, final boolean float32) {
		final int n = d.nSubjects(), nf = 600;
		final SplittableRandom r = new SplittableRandom(11);
		final double[][] y = new double[n][nf];
		for (int v = 0; v < nf; v++) {
			final double[] kind = KINDS[v / 200];
			final double sd = kind[1] * (0.8 + 0.4 * r.nextDouble());
			final double[] shift = { 0, kind[3] * sd, -kind[3] * sd / 2, kind[3] * sd / 3 };
			final double[] scale = { 1, 1.4, 0.7, 1.1 };
			final double age = kind[2] * (0.5 + r.nextDouble());
			for (int j = 0; j < n; j++) {
				final int k = d.batch(j);
				y[j][v] = kind[0] + age * (d.covariate(j, 0) - 50) + 0.1 * sd * d.covariate(j, 1) +
					shift[k] + scale[k] * sd * SyntheticCohort.gaussian(r);
				if (v % 200 == 3 && (j == 0 || d.batch(j - 1) != k)) y[j][v] += 6 * sd;
			}
		}
		for (int j = 0; j < n; j++) {
			y[j][10] = 3000;
			y[j][11] = -0.0;
			if (d.batch(j) == 2) y[j][12] = 1000.5;
		}
		y[5][13] = Double.NaN;
		y[7][14] = Double.POSITIVE_INFINITY;
		if (float32) for (final double[] row : y)
			for (int v = 0; v < nf; v++)
				row[v] = (float) row[v];
		return y;
	}
}
