// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The random subject intercept against lme4's
 * {@code lmer(f ~ age + sex + site + (1|subject), REML=TRUE)} per feature of long_input.csv
 * (src/test/resources/reference/family: long_lmer.R, long_lmer_fit.csv, long_lmer_fitted.csv; see
 * its PROVENANCE.md): sigma^2, the intercept variance, the REML criterion and the fitted values
 * (fixed effects plus the subject's BLUP).
 */
class RandomInterceptMeanTest {

	private static final Path DIR = PenalisedMeanTest.DIR;

	/** Relative agreement of sigma^2 and the intercept variance with lme4. */
	private static final double VAR_TOL = 1e-6;

	/** Agreement of the fitted values, as a fraction of each feature's SD. */
	private static final double FITTED_TOL = 1e-6;

	/** The input: design (sites S1..S4, age, sex[M]; subject ids) and data. */
	static final class Cohort {

		final Design design;

		final double[][] y;

		final int nFeatures;

		Cohort() {
			final TestCsv t = TestCsv.read(DIR.resolve("long_input.csv"), true);
			final int n = t.rows.size(), first = t.column("f01");
			nFeatures = t.header.length - first;
			final String[] sites = t.rows.stream().map(r -> r[t.column("site")]).distinct().sorted()
				.toArray(String[]::new);
			final int[] batch = new int[n];
			final String[] ids = new String[n];
			final double[][] cov = new double[n][2];
			y = new double[n][nFeatures];
			for (int j = 0; j < n; j++) {
				final String[] r = t.rows.get(j);
				batch[j] = Arrays.asList(sites).indexOf(r[t.column("site")]);
				cov[j][0] = Double.parseDouble(r[t.column("age")]);
				cov[j][1] = r[t.column("sex")].equals("M") ? 1 : 0;
				ids[j] = r[t.column("subject")];
				for (int v = 0; v < nFeatures; v++)
					y[j][v] = Double.parseDouble(r[first + v]);
			}
			design = new Design(sites, batch, new String[] { "age", "sex[M]" }, cov, ids);
		}

		double[] feature(final int v) {
			return TestCsv.column(y, v);
		}

		double sd(final int v) {
			return TestCsv.sd(feature(v));
		}
	}

	/**
	 * With reference site S1 the design is lme4's treatment coding (same columns up to order), so
	 * the REML criterion is lme4's own number, not only up to a constant.
	 */
	@Test
	void varianceComponentsAndCriterionAreLme4s() {
		final Cohort c = new Cohort();
		final TestCsv ref = TestCsv.read(DIR.resolve("long_lmer_fit.csv"), true);
		final RandomInterceptMean.RandomInterceptFitter f = RandomInterceptMean.INSTANCE.fitter(
			c.design, 0);
		assertEquals(60, f.nSubjects);
		final double[] coef = new double[f.nColumns()];
		for (int v = 0; v < c.nFeatures; v++) {
			final String[] r = ref.rows.get(v);
			final double s2 = Double.parseDouble(r[1]), iv = Double.parseDouble(r[2]),
				theta = Double.parseDouble(r[3]), crit = Double.parseDouble(r[4]);
			final RandomInterceptMean.Fit fit = f.fitFeature(c.feature(v), coef);
			assertTrue(fit.converged, r[0] + " converged");
			final double theirs = f.reml(c.feature(v), theta);
			assertEquals(crit, theirs, 1e-9 * Math.abs(crit), r[0] + " criterion at lme4's theta");
			assertTrue(fit.reml <= theirs + 1e-12 * Math.abs(theirs), r[0] + ": REML " + fit.reml +
				" here, " + theirs + " at lme4's theta");
			assertEquals(s2, fit.sigma2, VAR_TOL * s2, r[0] + " sigma^2");
			assertEquals(iv, fit.interceptVar(), VAR_TOL * iv, r[0] + " intercept variance");
		}
	}

	/** Fitted values (y - residuals) through the chunk interface, with and without a reference. */
	@Test
	void fittedValuesIncludeTheBlupsAsLme4s() {
		final Cohort c = new Cohort();
		final double[][] fitted = TestCsv.read(DIR.resolve("long_lmer_fitted.csv"), true)
			.numbers();
		final TestCsv stats = TestCsv.read(DIR.resolve("long_lmer_fit.csv"), true);
		for (final int ref : new int[] { -1, 0, 2 }) {
			final RandomInterceptMean.RandomInterceptFitter f = RandomInterceptMean.INSTANCE.fitter(
				c.design, ref);
			final int n = c.y.length, len = c.nFeatures;
			final FeatureChunk w = new FeatureChunk(n, f.nColumns(), c.design.nBatches(),
				new byte[len], len, true);
			w.from = 0;
			w.len = len;
			for (int j = 0; j < n; j++)
				System.arraycopy(c.y[j], 0, w.y, j * len, len);
			f.fit(w);
			f.residuals(w);
			f.means(w);
			MixedModelVariance.INSTANCE.fitter(c.design, ref).fit(w);
			for (int v = 0; v < len; v++) {
				final double tol = FITTED_TOL * c.sd(v);
				final double s2 = Double.parseDouble(stats.rows.get(v)[1]);
				assertEquals(s2, w.var[v], VAR_TOL * s2, "ref " + ref + " f" + (v + 1) + " var");
				for (int j = 0; j < n; j++) {
					final double mine = w.y[j * len + v] - w.residual[j * len + v];
					assertEquals(fitted[j][v], mine, tol, "ref " + ref + " f" + (v + 1) + " row " + j);
				}
			}
		}
	}

	/** The standardisation mean differs from the fitted value by the site effect only. */
	@Test
	void meansAreFittedValuesWithoutTheSiteEffect() {
		final Cohort c = new Cohort();
		final RandomInterceptMean.RandomInterceptFitter f = RandomInterceptMean.INSTANCE.fitter(
			c.design, -1);
		final int n = c.y.length, len = c.nFeatures, k = c.design.nBatches();
		final FeatureChunk w = new FeatureChunk(n, f.nColumns(), k, new byte[len], len, true);
		w.from = 0;
		w.len = len;
		for (int j = 0; j < n; j++)
			System.arraycopy(c.y[j], 0, w.y, j * len, len);
		f.fit(w);
		f.residuals(w);
		f.means(w);
		for (int v = 0; v < len; v++)
			for (int j = 0; j < n; j++) {
				final double fittedJ = w.y[j * len + v] - w.residual[j * len + v];
				final double gamma = w.coef[c.design.batch(j) * len + v] - w.location[v];
				assertEquals(fittedJ, w.mean[j * len + v] + gamma, 1e-10 * c.sd(v));
			}
	}

	/**
	 * A feature with no between-subject variance (noise that sums to zero within each subject,
	 * plus the fixed effects): theta is 0 (the boundary), nothing is NaN, the BLUPs are 0 and the
	 * fit is OLS's.
	 */
	@Test
	void noBetweenSubjectVarianceGivesThetaZero() {
		final Cohort c = new Cohort();
		final RandomInterceptMean.RandomInterceptFitter f = RandomInterceptMean.INSTANCE.fitter(
			c.design, -1);
		final int n = c.y.length;
		final Random rnd = new Random(14);
		final double[] e = new double[n], mean = new double[f.nSubjects];
		for (int j = 0; j < n; j++) {
			e[j] = rnd.nextGaussian();
			mean[f.subject[j]] += e[j] / f.size[f.subject[j]];
		}
		final double[] y = new double[n];
		for (int j = 0; j < n; j++)
			y[j] = 5 + 0.3 * c.design.batch(j) + 0.02 * c.design.covariate(j, 0) +
				0.5 * c.design.covariate(j, 1) + e[j] - mean[f.subject[j]];
		final double[] coef = new double[f.nColumns()];
		final RandomInterceptMean.Fit fit = f.fitFeature(y, coef);
		assertEquals(0, fit.theta, 0);
		assertEquals(0, fit.interceptVar(), 0);
		assertTrue(Double.isFinite(fit.sigma2) && fit.sigma2 > 0, "sigma^2 " + fit.sigma2);
		assertTrue(Double.isFinite(fit.reml), "REML " + fit.reml);
		for (final double u : fit.blup)
			assertEquals(0, u, 0);
		final double[] ols = new double[f.nColumns()];
		final FactoredDesign x = f.x;
		for (int q = 0; q < x.p; q++)
			for (int j = 0; j < n; j++)
				ols[q] += x.proj[q * n + j] * y[j];
		for (int q = 0; q < x.p; q++) {
			assertTrue(Double.isFinite(coef[q]));
			assertEquals(ols[q], coef[q], 1e-9 * (1 + Math.abs(ols[q])), "coefficient " + q);
		}
		// and REML's sigma^2 at theta = 0 is OLS's residual mean square
		double rss = 0;
		for (int j = 0; j < n; j++) {
			double r = y[j];
			for (int q = 0; q < x.p; q++)
				r -= x.x[j * x.p + q] * ols[q];
			rss += r * r;
		}
		assertEquals(rss / (n - x.p), fit.sigma2, 1e-9 * fit.sigma2);
	}

	/** One scan per subject: theta is not identifiable, the fit is OLS with theta = 0. */
	@Test
	void oneScanPerSubjectIsOls() {
		final Cohort c = new Cohort();
		final int n = c.y.length;
		final String[] ids = new String[n];
		final double[][] cov = new double[n][2];
		for (int j = 0; j < n; j++) {
			ids[j] = "row " + j;
			cov[j][0] = c.design.covariate(j, 0);
			cov[j][1] = c.design.covariate(j, 1);
		}
		final Design d = new Design(c.design.batchLevels(), c.design.batches(),
			c.design.covariateNames(), cov, ids);
		final RandomInterceptMean.RandomInterceptFitter f = RandomInterceptMean.INSTANCE.fitter(d,
			-1);
		final double[] coef = new double[f.nColumns()];
		final RandomInterceptMean.Fit fit = f.fitFeature(c.feature(0), coef);
		assertEquals(0, fit.theta, 0);
		final FactoredDesign x = f.x;
		for (int q = 0; q < x.p; q++) {
			double ols = 0;
			for (int j = 0; j < n; j++)
				ols += x.proj[q * n + j] * c.y[j][0];
			assertEquals(ols, coef[q], 1e-9 * (1 + Math.abs(ols)), "coefficient " + q);
		}
	}
}
