// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;

import org.junit.jupiter.api.Test;

/**
 * The penalised smooth against ComBatFamily's {@code comfam(..., mgcv::gam, y ~ s(age, bs="cr",
 * k=10) + sex, method="REML")} (src/test/resources/reference/family, see its PROVENANCE.md):
 * mgcv's edf and smoothing parameter of every feature, and the harmonised values.
 */
class PenalisedMeanTest {

	static final Path DIR = Paths.get("src/test/resources/reference/family");

	/** Relative agreement of edf and sp with mgcv. */
	private static final double SMOOTHING_TOL = 1e-4;

	/** Agreement of the harmonised values, as a fraction of each feature's SD. */
	private static final double VALUE_TOL = 1e-5;

	private static final int K = 10;

	/** The input table: design with site one-hot, sexM, the constrained age basis; and data. */
	static final class Cohort {

		final Design design;

		final double[][] y;

		final CubicRegressionSpline spline;

		final int nFeatures;

		Cohort() {
			final TestCsv t = TestCsv.read(DIR.resolve("gam_input.csv"), true);
			final int n = t.rows.size(), first = t.column("f01");
			nFeatures = t.header.length - first;
			final String[] sites = t.rows.stream().map(r -> r[t.column("site")]).distinct().sorted()
				.toArray(String[]::new);
			final int[] batch = new int[n];
			final double[] age = new double[n];
			final String[] ids = new String[n];
			y = new double[n][nFeatures];
			for (int j = 0; j < n; j++) {
				final String[] r = t.rows.get(j);
				batch[j] = Arrays.asList(sites).indexOf(r[t.column("site")]);
				age[j] = Double.parseDouble(r[t.column("age")]);
				ids[j] = r[t.column("subject")];
				for (int v = 0; v < nFeatures; v++)
					y[j][v] = Double.parseDouble(r[first + v]);
			}
			spline = new CubicRegressionSpline(age, K);
			final String[] names = new String[K];
			names[0] = "sex[M]";
			for (int i = 1; i < K; i++)
				names[i] = "age[s" + i + "]";
			final double[][] cov = new double[n][K];
			for (int j = 0; j < n; j++) {
				cov[j][0] = t.rows.get(j)[t.column("sex")].equals("M") ? 1 : 0;
				System.arraycopy(spline.basis(age[j]), 0, cov[j], 1, K - 1);
			}
			design = new Design(sites, batch, names, cov, ids);
		}

		PenalisedMean mean() {
			return new PenalisedMean(1, K - 1, spline.penalty(), PenalisedMean.comfamAliased(true));
		}

		double[] feature(final int v) {
			return TestCsv.column(y, v);
		}

		double sd(final int v) {
			return TestCsv.sd(feature(v));
		}
	}

	@Test
	void edfAndSmoothingParameterAreMgcvs() {
		final Cohort c = new Cohort();
		final TestCsv ref = TestCsv.read(DIR.resolve("gam_comfam_cr10_reml_smoothing.csv"), true);
		final PenalisedMean.PenalisedFitter f = c.mean().fitter(c.design, -1);
		final double[] coef = new double[f.nColumns()];
		for (int v = 0; v < c.nFeatures; v++) {
			final String[] r = ref.rows.get(v);
			final PenalisedMean.Smoothing s = f.fitFeature(c.feature(v), coef);
			final double edf = Double.parseDouble(r[1]), sp = Double.parseDouble(r[2]);
			final double mySp = s.lambda * c.spline.penaltyScale();
			assertTrue(s.converged, r[0] + " converged");
			// where the optima differ, ours must not have the higher criterion
			final double theirs = f.reml(c.feature(v), sp / c.spline.penaltyScale());
			assertTrue(s.reml <= theirs + 1e-9 * Math.abs(theirs), r[0] + ": REML criterion " +
				s.reml + " here, " + theirs + " at mgcv's sp");
			assertEquals(edf, s.edf, SMOOTHING_TOL * edf, r[0] + " edf");
			assertEquals(sp, mySp, SMOOTHING_TOL * sp, r[0] + " sp");
		}
	}

	/**
	 * The O(p) form against the penalised normal equations: at the chosen lambda the
	 * coefficients solve {@code (X'X + lambda S) b = X'y}, the chunk fit gives the same
	 * coefficients, and lambda is a minimum of the criterion (neighbours are not lower).
	 */
	@Test
	void coefficientsSolveThePenalisedNormalEquations() {
		final Cohort c = new Cohort();
		final PenalisedMean.PenalisedFitter f = c.mean().fitter(c.design, 2);
		final int n = c.y.length, p = f.nColumns(), k = c.design.nBatches();
		final double[] pen = c.spline.penalty();
		final FeatureChunk w = new FeatureChunk(n, p, k, new byte[c.nFeatures], c.nFeatures, true);
		w.read(new FeatureMatrix.DoubleRows(c.y), 0, c.nFeatures);
		f.fit(w);
		final double[] b = new double[p];
		for (int v = 0; v < c.nFeatures; v++) {
			final double[] y = c.feature(v);
			final PenalisedMean.Smoothing s = f.fitFeature(y, b);
			for (int q = 0; q < p; q++)
				assertEquals(b[q], w.coef[q * c.nFeatures + v], 0, "chunk coefficient " + q);
			double scale = 0;
			for (int q = 0; q < p; q++) {
				double lhs = 0, rhs = 0;
				for (int j = 0; j < n; j++) {
					double fitted = 0;
					for (int e = 0; e < p; e++)
						fitted += f.x.x[j * p + e] * b[e];
					lhs += f.x.x[j * p + q] * fitted;
					rhs += f.x.x[j * p + q] * y[j];
				}
				final int o = k + 1; // the block's first design column
				if (q >= o) for (int e = o; e < p; e++)
					lhs += s.lambda * pen[(q - o) * (p - o) + e - o] * b[e];
				scale = Math.max(scale, Math.abs(rhs));
				assertEquals(rhs, lhs, 1e-9 * scale, "feature " + v + ", column " + q);
			}
			assertTrue(f.reml(y, s.lambda * 1.001) >= s.reml && f.reml(y, s.lambda / 1.001) >= s.reml,
				"feature " + v + " is at a minimum");
		}
	}

	@Test
	void comBatWithThePenalisedMeanIsComfams() {
		check(ComBatOptions.defaults(), "gam_comfam_cr10_reml.csv");
	}

	@Test
	void comBatWithAReferenceSiteIsComfams() {
		check(ComBatOptions.defaults().withRefBatch("S2"), "gam_comfam_cr10_reml_ref_S2.csv");
	}

	private static void check(final ComBatOptions o, final String file) {
		final Cohort c = new Cohort();
		final double[][] out = CombatReferenceTest.copy(c.y);
		final FeatureMatrix m = new FeatureMatrix.DoubleRows(out);
		final ComBatFit fit = ComBat.fit(m, c.design, o, c.mean(), PooledVariance.INSTANCE,
			Progress.NONE, () -> false, true);
		fit.apply(m, m, Progress.NONE, () -> false);
		final TestCsv ref = TestCsv.read(DIR.resolve(file), true);
		final int first = ref.column("f01");
		double worst = 0;
		for (int v = 0; v < c.nFeatures; v++) {
			final double sd = c.sd(v);
			for (int j = 0; j < out.length; j++) {
				final double want = Double.parseDouble(ref.rows.get(j)[first + v]);
				worst = Math.max(worst, Math.abs(out[j][v] - want) / sd);
			}
		}
		assertTrue(worst <= VALUE_TOL, file + ": worst difference " + worst + " SD");
	}
}
