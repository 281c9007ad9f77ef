// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Planted site effects and covariates: what ComBat and site regression must remove and keep. */
class ComBatInvariantsTest {

	/** Double algebra on values about 100 with N = 120: exact identities hold to ~1e-12. */
	static final double ALGEBRA_TOL = 1e-9;

	/**
	 * With parametric EB gamma* and delta* are shrunk a little from the per-feature estimates,
	 * so site means differ slightly after harmonisation: with 40 subjects per site and site shifts
	 * of several SD, the remaining gap is a few percent of the removed one (observed 0.19 of 4.8).
	 */
	static final double EB_GAP_FRACTION = 0.1;

	/**
	 * A second pass: delta-hat is N/(N-K) = 1.026 by construction (denominators N and n-1), which
	 * rescales residuals of up to 4 sigma by 1.3% (0.05 sigma); with parametric EB the first pass
	 * leaves shrinkage gaps of up to 0.19 sigma in site means and a few percent in site scales, so
	 * gamma*, delta* - 1 and the change (in sigma) stay below 0.15 (observed 0.02, 0.08, 0.13).
	 */
	static final double SECOND_PASS_TOL = 0.15;

	private static final int[] SIZES = { 40, 40, 40 };

	private static final double[] SHIFT = { 0, 5, -3 }, SCALE = { 1, 2, 0.5 };

	private static SyntheticCohort cohort() {
		return SyntheticCohort.make(42, SIZES, 500, SHIFT, SCALE, true);
	}

	@Test
	void noEbEqualisesSiteMeansAndVariances() {
		final SyntheticCohort c = cohort();
		final double[][] out = c.copy();
		final ComBatFit fit = harmonise(out, c.design, ComBatOptions.defaults().withEb(
			EmpiricalBayes.NONE));
		double maxMean = 0, maxVar = 0;
		for (int v = 0; v < c.nFeatures(); v++) {
			final double[] beta = { fit.betaHat(0, v), fit.betaHat(1, v) };
			for (int k = 0; k < SIZES.length; k++) {
				maxMean = Math.max(maxMean, Math.abs(SyntheticCohort.siteMean(out, c.design, k, v,
					beta) - fit.grandMean(v)));
				maxVar = Math.max(maxVar, Math.abs(SyntheticCohort.siteVar(out, c.design, k, v, beta) /
					fit.varPooled(v) - 1));
			}
		}
		assertEquals(0, maxMean, ALGEBRA_TOL, "max |site mean - alpha|");
		assertEquals(0, maxVar, ALGEBRA_TOL, "max |site var / sigma^2 - 1|");
	}

	@Test
	void parametricEbLeavesOnlyTheShrinkageGap() {
		final SyntheticCohort c = cohort();
		final double[][] out = c.copy();
		final ComBatFit fit = harmonise(out, c.design, ComBatOptions.defaults());
		double maxIdentity = 0, maxGap = 0, maxRaw = 0;
		for (int v = 0; v < c.nFeatures(); v++) {
			final double[] beta = { fit.betaHat(0, v), fit.betaHat(1, v) };
			final double sd = Math.sqrt(fit.varPooled(v));
			for (int k = 0; k < SIZES.length; k++) {
				final double gap = (SyntheticCohort.siteMean(out, c.design, k, v, beta) - fit.grandMean(
					v)) / sd;
				// site mean of z* = (gamma-hat - gamma*) / sqrt(delta*), exactly
				final double expected = (fit.gammaHat(k, v) - fit.gammaStar(k, v)) / Math.sqrt(fit
					.deltaStar(k, v));
				maxIdentity = Math.max(maxIdentity, Math.abs(gap - expected));
				maxGap = Math.max(maxGap, Math.abs(gap));
				maxRaw = Math.max(maxRaw, Math.abs(fit.gammaHat(k, v)));
			}
			assertEquals(FeatureStatus.HARMONISED, fit.status(v));
		}
		assertEquals(0, maxIdentity, ALGEBRA_TOL, "site mean of z* against (gamma-hat - gamma*) / " +
			"sqrt(delta*)");
		assertTrue(maxGap < EB_GAP_FRACTION * maxRaw, "max site gap / sigma " + maxGap +
			", max |gamma-hat| " + maxRaw);
		assertTrue(fit.iterations(1) > 1, "EB iterations of site 2: " + fit.iterations(1));
	}

	@Test
	void secondPassChangesAlmostNothing() {
		final SyntheticCohort c = SyntheticCohort.make(7, SIZES, 500, SHIFT, SCALE, false);
		final int n = c.y.length, k = SIZES.length;
		for (final EmpiricalBayes eb : new EmpiricalBayes[] { EmpiricalBayes.NONE,
			EmpiricalBayes.PARAMETRIC })
		{
			final double[][] once = c.copy();
			harmonise(once, c.design, ComBatOptions.defaults().withEb(eb));
			final double[][] twice = CombatReferenceTest.copy(once);
			final ComBatFit second = harmonise(twice, c.design, ComBatOptions.defaults().withEb(eb));
			double g = 0, d = 0, dExact = 0, y = 0;
			for (int v = 0; v < c.nFeatures(); v++) {
				final double sd = Math.sqrt(second.varPooled(v));
				for (int b = 0; b < k; b++) {
					g = Math.max(g, Math.abs(second.gammaStar(b, v)));
					d = Math.max(d, Math.abs(second.deltaStar(b, v) - 1));
					// var.pooled has denominator N, delta-hat ddof 1: equal site variances give N/(N-K)
					dExact = Math.max(dExact, Math.abs(second.deltaHatSq(b, v) - (double) n / (n - k)));
				}
				for (int j = 0; j < n; j++)
					y = Math.max(y, Math.abs(twice[j][v] - once[j][v]) / sd);
			}
			if (eb == EmpiricalBayes.NONE) {
				assertEquals(0, g, ALGEBRA_TOL, "eb=none: max |gamma*|");
				assertEquals(0, dExact, ALGEBRA_TOL, "eb=none: max |delta-hat - N/(N-K)|");
			}
			assertTrue(g < SECOND_PASS_TOL, eb.key() + ": max |gamma*| " + g);
			assertTrue(d < SECOND_PASS_TOL, eb.key() + ": max |delta* - 1| " + d);
			assertTrue(y < SECOND_PASS_TOL, eb.key() + ": max change / sigma " + y);
		}
	}

	@Test
	void covariateEffectsArePreserved() {
		final SyntheticCohort c = cohort();
		final ComBatFit fit = harmonise(c.copy(), c.design, ComBatOptions.defaults());
		final SiteRegressionFit ols = SiteRegression.fit(new FeatureMatrix.DoubleRows(c.y), c.design,
			null, Progress.NONE, () -> false);
		final double[][] out = c.copy();
		harmonise(out, c.design, ComBatOptions.defaults());
		// the covariate effects fitted in the harmonised data, sites still in the model
		final SiteRegressionFit after = SiteRegression.fit(new FeatureMatrix.DoubleRows(out),
			c.design, null, Progress.NONE, () -> false);
		final int n = c.y.length;
		final double[] age = new double[n], group = new double[n];
		for (int j = 0; j < n; j++) {
			age[j] = c.design.covariate(j, SyntheticCohort.AGE);
			group[j] = c.design.covariate(j, SyntheticCohort.GROUP);
		}
		final double ageSd = Math.sqrt(var(age) * (n - 1)), groupSd = Math.sqrt(var(group) * (n -
			1));
		double same = 0, worst = 0;
		for (int v = 0; v < c.nFeatures(); v++) {
			for (int q = 0; q < 2; q++)
				same = Math.max(same, Math.abs(fit.betaHat(q, v) - ols.betaHat(q, v)));
			// standard errors of simple-regression slopes, ignoring the small site/covariate overlap
			final double sigma = Math.sqrt(fit.varPooled(v));
			worst = Math.max(worst, Math.abs(after.betaHat(SyntheticCohort.AGE, v) - c.ageEffect[v]) /
				(sigma / ageSd));
			worst = Math.max(worst, Math.abs(after.betaHat(SyntheticCohort.GROUP, v) - c.groupEffect[
				v]) / (sigma / groupSd));
		}
		assertEquals(0, same, ALGEBRA_TOL, "max |ComBat beta - OLS beta|");
		assertTrue(worst < EFFECT_SE_TOL, "covariate effect off by " + worst + " standard errors");
	}

	/** Planted covariate effects are recovered within 6 standard errors on all 1000 slopes. */
	static final double EFFECT_SE_TOL = 6;

	private static double var(final double[] x) {
		double m = 0, s = 0;
		for (final double v : x)
			m += v / x.length;
		for (final double v : x)
			s += (v - m) * (v - m);
		return s / (x.length - 1);
	}

	@Test
	void siteRegressionLeavesEqualSiteMeansAndOrthogonalResiduals() {
		final SyntheticCohort c = cohort();
		final double[][] out = c.copy();
		final SiteRegressionFit fit = SiteRegression.fit(new FeatureMatrix.DoubleRows(c.y), c.design,
			null, Progress.NONE, () -> false);
		fit.apply(new FeatureMatrix.DoubleRows(c.y), new FeatureMatrix.DoubleRows(out),
			Progress.NONE, () -> false);
		double maxMean = 0, maxDot = 0;
		for (int v = 0; v < c.nFeatures(); v++) {
			final double[] beta = { fit.betaHat(0, v), fit.betaHat(1, v) };
			for (int k = 0; k < SIZES.length; k++)
				maxMean = Math.max(maxMean, Math.abs(SyntheticCohort.siteMean(out, c.design, k, v,
					beta) - fit.alpha(v)));
			// residuals r = y_adj - alpha - X beta are orthogonal to every column of X
			for (int q = 0; q < SIZES.length + 2; q++) {
				double dot = 0;
				for (int j = 0; j < out.length; j++) {
					final double r = out[j][v] - fit.alpha(v) - c.design.covariate(j, 0) * beta[0] -
						c.design.covariate(j, 1) * beta[1];
					final double xq = q < SIZES.length ? (c.design.batch(j) == q ? 1 : 0) : c.design
						.covariate(j, q - SIZES.length);
					dot += xq * r;
				}
				maxDot = Math.max(maxDot, Math.abs(dot));
			}
		}
		assertEquals(0, maxMean, ALGEBRA_TOL, "max |site mean - alpha|");
		assertEquals(0, maxDot, ORTHOGONALITY_TOL, "max |X'r|");
	}

	/** X'r sums 120 products of ages (up to 80) with residuals: ~1e-11 of rounding. */
	static final double ORTHOGONALITY_TOL = 1e-7;

	@Test
	void siteRegressionDoesNotDependOnSiteCoding() {
		final SyntheticCohort c = cohort();
		final double[][] a = adjust(c.y, c.design, null);
		// the same cohort with the site levels listed in reverse order
		final Design d = c.design;
		final int k = d.nBatches();
		final String[] levels = new String[k];
		for (int i = 0; i < k; i++)
			levels[i] = d.batchLevel(k - 1 - i);
		final int[] batch = new int[d.nSubjects()];
		final double[][] cov = new double[d.nSubjects()][2];
		final String[] ids = new String[d.nSubjects()];
		for (int j = 0; j < batch.length; j++) {
			batch[j] = k - 1 - d.batch(j);
			cov[j][0] = d.covariate(j, 0);
			cov[j][1] = d.covariate(j, 1);
			ids[j] = d.subjectId(j);
		}
		final Design reversed = new Design(levels, batch, d.covariateNames(), cov, ids);
		final double[][] b = adjust(c.y, reversed, null);
		assertEquals(0, maxAbsDiff(a, b), ALGEBRA_TOL, "level order");
		// with a reference site: its subjects are unchanged, and references differ by a constant
		final double[][] r1 = adjust(c.y, d, "S2");
		final double[][] r2 = adjust(c.y, d, "S3");
		for (int j = 0; j < c.y.length; j++)
			if (d.batch(j) == 1) for (int v = 0; v < c.nFeatures(); v++)
				assertEquals(c.y[j][v], r1[j][v], 0.0, "reference subject changed");
		double spread = 0;
		for (int v = 0; v < c.nFeatures(); v++) {
			final double shift = r1[0][v] - a[0][v], shift2 = r2[0][v] - a[0][v];
			for (int j = 0; j < c.y.length; j++) {
				spread = Math.max(spread, Math.abs(r1[j][v] - a[j][v] - shift));
				spread = Math.max(spread, Math.abs(r2[j][v] - a[j][v] - shift2));
			}
		}
		assertEquals(0, spread, ALGEBRA_TOL, "reference changes the level only");
	}

	// -- Helper methods --

	static ComBatFit harmonise(final double[][] rows, final Design d, final ComBatOptions o) {
		final FeatureMatrix m = new FeatureMatrix.DoubleRows(rows);
		final ComBatFit fit = ComBat.fit(m, d, o, Progress.NONE, () -> false);
		fit.apply(m, m, Progress.NONE, () -> false);
		return fit;
	}

	private static double[][] adjust(final double[][] y, final Design d, final String ref) {
		final double[][] out = CombatReferenceTest.copy(y);
		final FeatureMatrix m = new FeatureMatrix.DoubleRows(out);
		SiteRegression.fit(m, d, ref, Progress.NONE, () -> false).apply(m, m, Progress.NONE,
			() -> false);
		return out;
	}

	static double maxAbsDiff(final double[][] a, final double[][] b) {
		double m = 0;
		for (int j = 0; j < a.length; j++)
			for (int v = 0; v < a[j].length; v++)
				m = Math.max(m, Math.abs(a[j][v] - b[j][v]));
		return m;
	}
}
