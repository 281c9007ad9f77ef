// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * The method as parts: the factories give the fits of {@link ComBat} and {@link SiteRegression}
 * bit for bit, and a mean or scale model passed to the engine is the one that shapes the result
 * (checked against what the statistics say it must give, not against itself).
 */
class HarmonisationMethodTest {

	private static final int[] SIZES = { 25, 40, 18 };

	private static final int FEATURES = 400;

	/**
	 * Two exact double computations of the same quantity in a different order (the one-pass and
	 * the two-pass first pass, or a run on rescaled data): {@link ComBatOnePassTest#ONE_PASS_TOL}
	 * of the feature's SD, with room for the empirical-Bayes iteration, which stops on a relative
	 * change of 1e-4 and so may end a few ulp apart.
	 */
	private static final double TOL = 1e-9;

	@Test
	void factoriesGiveTheBitsOfTheirFits() {
		final SyntheticCohort s = cohort();
		final ComBatOptions o = ComBatOptions.defaults().withRefBatch("S2");
		final double[][] a = harmonise(HarmonisationMethod.combat(o), s);
		final double[][] b = CombatReferenceTest.copy(s.y);
		ComBatInvariantsTest.harmonise(b, s.design, o);
		for (int j = 0; j < a.length; j++)
			assertArrayEquals(b[j], a[j], "ComBat, subject " + j);
		final double[][] c = harmonise(HarmonisationMethod.siteRegression(null, false), s);
		final double[][] d = CombatReferenceTest.copy(s.y);
		final FeatureMatrix m = new FeatureMatrix.DoubleRows(d);
		SiteRegression.fit(m, s.design, null, Progress.NONE, () -> false).apply(m, m,
			Progress.NONE, () -> false);
		for (int j = 0; j < c.length; j++)
			assertArrayEquals(d[j], c[j], "regression, subject " + j);
		assertEquals("combat (mean ols, scale pooled)", HarmonisationMethod.combat(o).toString());
		assertEquals("regression (mean ols)", HarmonisationMethod.siteRegression("S1", true)
			.toString());
	}

	/**
	 * A scale model four times the pooled variance: ComBat's target spread is the scale model's
	 * sigma, and empirical Bayes is equivariant under a common rescaling of the standardised
	 * data, so every harmonised residual {@code y* - (alpha + X beta)} doubles.
	 */
	@Test
	void theScaleModelSetsTheHarmonisedSpread() {
		final SyntheticCohort s = cohort();
		for (final ComBatOptions o : new ComBatOptions[] { ComBatOptions.defaults(), ComBatOptions
			.defaults().withEb(EmpiricalBayes.NONE) })
		{
			final ComBatFit plain = fit(s, o, OlsMean.COMPLETE, PooledVariance.INSTANCE);
			final ComBatFit wide = fit(s, o, OlsMean.COMPLETE, new ScaleModel() {

				@Override
				public String name() {
					return "4 x pooled";
				}

				@Override
				public Fitter fitter(final Design design, final int ref) {
					final Fitter pooled = PooledVariance.INSTANCE.fitter(design, ref);
					return c -> {
						pooled.fit(c);
						for (int v = 0; v < c.len; v++)
							c.var[v] *= 4;
					};
				}
			});
			final double[][] a = apply(plain, s), b = apply(wide, s);
			for (int v = 0; v < FEATURES; v++) {
				assertEquals(4 * plain.varPooled(v), wide.varPooled(v), 1e-12 * plain.varPooled(v));
				final double sd = Math.sqrt(plain.varPooled(v));
				for (int j = 0; j < a.length; j++) {
					final double m = standardisationMean(plain, s.design, j, v);
					assertEquals(2 * (a[j][v] - m), b[j][v] - m, TOL * sd, o + ": subject " + j +
						", feature " + v);
				}
			}
		}
	}

	/**
	 * A mean model that leaves the covariates out (their coefficients 0): ComBat with it on the
	 * full design is ComBat on the design without covariates. The two runs share no code path
	 * (the generic first pass here, the one-pass sums there).
	 */
	@Test
	void theMeanModelSetsWhatIsKept() {
		final SyntheticCohort s = cohort();
		final ComBatOptions o = ComBatOptions.defaults();
		final ComBatFit without = fit(s, o, new SitesOnlyMean(), PooledVariance.INSTANCE);
		final Design sitesOnly = Design.batchesOnly(s.design.batchLevels(), s.design.batches());
		final ComBatFit reference = ComBat.fit(new FeatureMatrix.DoubleRows(CombatReferenceTest.copy(
			s.y)), sitesOnly, o, Progress.NONE, () -> false);
		final double[][] a = apply(without, s);
		final double[][] b = CombatReferenceTest.copy(s.y);
		reference.apply(new FeatureMatrix.DoubleRows(b), new FeatureMatrix.DoubleRows(b),
			Progress.NONE, () -> false);
		for (int v = 0; v < FEATURES; v++) {
			final double sd = Math.sqrt(reference.varPooled(v));
			assertEquals(0, without.betaHat(0, v));
			assertEquals(reference.grandMean(v), without.grandMean(v), TOL * sd);
			for (int k = 0; k < SIZES.length; k++)
				assertEquals(reference.gammaStar(k, v), without.gammaStar(k, v), TOL);
			for (int j = 0; j < a.length; j++)
				assertEquals(b[j][v], a[j][v], TOL * sd, "subject " + j + ", feature " + v);
		}
	}

	@Test
	void missingValuesOnlyWithTheModelsThatFitThem() {
		final SyntheticCohort s = cohort();
		final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fit(s,
			ComBatOptions.defaults().withMissingValues(true), new SitesOnlyMean(),
			PooledVariance.INSTANCE));
		assertEquals("missing values are fitted only with OLS and the pooled variance, not " +
			"sites only and pooled", e.getMessage());
	}

	// -- Helper methods --

	/** OLS on the site columns alone, with 0 for the covariate coefficients. */
	private static final class SitesOnlyMean implements MeanModel {

		@Override
		public String name() {
			return "sites only";
		}

		@Override
		public Fitter fitter(final Design design, final int ref) {
			final Fitter sites = OlsMean.COMPLETE.fitter(Design.batchesOnly(design.batchLevels(),
				design.batches()), ref);
			final int k = design.nBatches(), p = k + design.nCovariates();
			return new Fitter() {

				@Override
				public int nColumns() {
					return p;
				}

				@Override
				public void fit(final FeatureChunk c) {
					sites.fit(c);
					for (int i = k * c.len; i < p * c.len; i++)
						c.coef[i] = 0;
				}

				@Override
				public void residuals(final FeatureChunk c) {
					sites.residuals(c);
				}

				@Override
				public void means(final FeatureChunk c) {
					sites.means(c);
				}
			};
		}
	}

	private static SyntheticCohort cohort() {
		return SyntheticCohort.make(11, SIZES, FEATURES, new double[] { 0, 2, -1 }, new double[] {
			1, 1.5, 0.7 }, true);
	}

	private static ComBatFit fit(final SyntheticCohort s, final ComBatOptions o,
		final MeanModel mean, final ScaleModel scale)
	{
		return ComBat.fit(new FeatureMatrix.DoubleRows(CombatReferenceTest.copy(s.y)), s.design, o,
			mean, scale, Progress.NONE, () -> false, true);
	}

	private static double[][] apply(final HarmonisationFit fit, final SyntheticCohort s) {
		final double[][] out = CombatReferenceTest.copy(s.y);
		final FeatureMatrix m = new FeatureMatrix.DoubleRows(out);
		fit.apply(m, m, Progress.NONE, () -> false);
		return out;
	}

	private static double[][] harmonise(final HarmonisationMethod method, final SyntheticCohort s) {
		final double[][] out = CombatReferenceTest.copy(s.y);
		final FeatureMatrix m = new FeatureMatrix.DoubleRows(out);
		method.validate(s.design);
		method.fit(m, s.design, Progress.NONE, () -> false).apply(m, m, Progress.NONE, () -> false);
		return out;
	}

	/** alpha_v + X_j beta_v */
	private static double standardisationMean(final ComBatFit f, final Design d, final int j,
		final int v)
	{
		double m = f.grandMean(v);
		for (int c = 0; c < d.nCovariates(); c++)
			m += d.covariate(j, c) * f.betaHat(c, v);
		return m;
	}
}
