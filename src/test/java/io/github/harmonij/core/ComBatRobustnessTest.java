// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

import net.imglib2.parallel.Parallelization;

import org.junit.jupiter.api.Test;

/** Determinism, skipped features, bad input, large sites and cancel. */
class ComBatRobustnessTest {

	/** Priors over the same kept features summed with different block boundaries: rounding only. */
	static final double PRIOR_TOL = 1e-12;

	/** Log-space vs BigDecimal reference: log-likelihoods of about -1000 carry ~1e-13 absolute
	 * rounding, so weights agree to ~1e-12 relative. */
	static final double LOG_SPACE_TOL = 1e-9;

	@Test
	void sameBitsOnOneAndFourThreads() {
		final int nf = 3 * VoxelBlocks.BLOCK + 123;
		final SyntheticCohort c = SyntheticCohort.make(3, new int[] { 20, 25, 15 }, nf, new double[] {
			0, 2, -1 }, new double[] { 1, 1.5, 0.7 }, true);
		for (final EmpiricalBayes eb : new EmpiricalBayes[] { EmpiricalBayes.PARAMETRIC,
			EmpiricalBayes.NONPARAMETRIC })
		{
			final ComBatOptions o = ComBatOptions.defaults().withEb(eb);
			final double[][] one = c.copy(), four = c.copy();
			final ComBatFit f1 = Parallelization.runSingleThreaded(() -> ComBatInvariantsTest
				.harmonise(one, c.design, o));
			final ComBatFit f4 = Parallelization.runWithNumThreads(4, () -> ComBatInvariantsTest
				.harmonise(four, c.design, o));
			for (int j = 0; j < one.length; j++)
				assertArrayEquals(one[j], four[j], 0.0, eb + " subject " + j);
			assertArrayEquals(f1.gammaStar, f4.gammaStar, 0.0);
			assertArrayEquals(f1.deltaStar, f4.deltaStar, 0.0);
			assertArrayEquals(f1.tau2, f4.tau2, 0.0);
			assertArrayEquals(f1.aPrior, f4.aPrior, 0.0);
		}
	}

	@Test
	void skippedFeaturesAreCopiedCountedAndLeftOutOfPriors() {
		final SyntheticCohort c = SyntheticCohort.make(5, new int[] { 12, 10, 1 }, 60, new double[] {
			0, 3, 1 }, new double[] { 1, 2, 1 }, false);
		final double[][] y = c.copy();
		final int n = y.length;
		for (int j = 0; j < n; j++) {
			y[j][3] = 5.0; // constant
			if (c.design.batch(j) == 1) y[j][7] = 2.5; // constant within site S2
			if (c.design.batch(j) == 2) y[j][9] = -1; // site S3 has one subject: not a reason
		}
		y[4][11] = Double.NaN;
		y[15][12] = Double.POSITIVE_INFINITY;
		final int[] skipped = { 3, 7, 11, 12 };
		for (final EmpiricalBayes eb : EmpiricalBayes.values()) {
			final ComBatOptions o = ComBatOptions.defaults().withEb(eb).withMeanOnly(true);
			final double[][] out = CombatReferenceTest.copy(y);
			final ComBatFit fit = ComBatInvariantsTest.harmonise(out, c.design, o);
			assertEquals(1, fit.count(FeatureStatus.CONSTANT));
			assertEquals(1, fit.count(FeatureStatus.CONSTANT_IN_SITE));
			assertEquals(2, fit.count(FeatureStatus.NON_FINITE));
			assertEquals(56, fit.count(FeatureStatus.HARMONISED));
			assertEquals(FeatureStatus.CONSTANT_IN_SITE, fit.status(7));
			assertEquals(FeatureStatus.HARMONISED, fit.status(9));
			for (final int v : skipped)
				for (int j = 0; j < n; j++)
					assertEquals(Double.doubleToLongBits(y[j][v]), Double.doubleToLongBits(out[j][v]),
						"feature " + v + " changed");
			for (int j = 0; j < n; j++)
				for (int v = 0; v < y[0].length; v++)
					if (v != 11 && v != 12) assertTrue(Double.isFinite(out[j][v]), "NaN at " + v);
			// the same fit on the kept features only
			final double[][] kept = new double[n][56];
			for (int j = 0; j < n; j++)
				for (int v = 0, i = 0; v < y[0].length; v++)
					if (fit.status(v) == FeatureStatus.HARMONISED) kept[j][i++] = y[j][v];
			final double[][] keptOut = CombatReferenceTest.copy(kept);
			final ComBatFit ref = ComBatInvariantsTest.harmonise(keptOut, c.design, o);
			for (int k = 0; k < 3; k++) {
				assertEquals(ref.gammaBar(k), fit.gammaBar(k), PRIOR_TOL);
				assertEquals(ref.tau2(k), fit.tau2(k), PRIOR_TOL);
			}
			for (int j = 0; j < n; j++)
				for (int v = 0, i = 0; v < y[0].length; v++)
					if (fit.status(v) == FeatureStatus.HARMONISED) assertEquals(keptOut[j][i++], out[j][v],
						PRIOR_TOL);
		}
		// location-and-scale priors too (needs two subjects per site)
		final SyntheticCohort d = SyntheticCohort.make(6, new int[] { 12, 10 }, 40, new double[] { 0,
			3 }, new double[] { 1, 2 }, false);
		final double[][] z = d.copy();
		for (int j = 0; j < z.length; j++)
			z[j][0] = 1;
		final ComBatFit fit = ComBat.fit(new FeatureMatrix.DoubleRows(z), d.design, ComBatOptions
			.defaults(), Progress.NONE, () -> false);
		final double[][] kept = new double[z.length][39];
		for (int j = 0; j < z.length; j++)
			System.arraycopy(z[j], 1, kept[j], 0, 39);
		final ComBatFit ref = ComBat.fit(new FeatureMatrix.DoubleRows(kept), d.design, ComBatOptions
			.defaults(), Progress.NONE, () -> false);
		for (int k = 0; k < 2; k++) {
			assertEquals(ref.aPrior(k), fit.aPrior(k), PRIOR_TOL * Math.abs(ref.aPrior(k)));
			assertEquals(ref.bPrior(k), fit.bPrior(k), PRIOR_TOL * Math.abs(ref.bPrior(k)));
			assertEquals(ref.iterations(k), fit.iterations(k));
		}
	}

	@Test
	void badDesignsAreReportedWithNames() {
		final int[] batch = { 0, 0, 0, 1, 1, 1, 2 };
		final String[] levels = { "UCL", "KCL", "Oxford" };
		final Design single = Design.batchesOnly(levels, batch);
		InputException e = assertThrows(InputException.class, () -> ComBat.validate(single,
			ComBatOptions.defaults()));
		assertTrue(e.getMessage().contains("Site \"Oxford\" has 1 subject"), e.getMessage());
		assertTrue(e.getMessage().contains("mean-only"), e.getMessage());
		ComBat.validate(single, ComBatOptions.defaults().withMeanOnly(true));
		SiteRegression.validate(single, null);

		e = assertThrows(InputException.class, () -> ComBat.validate(single, ComBatOptions.defaults()
			.withMeanOnly(true).withRefBatch("Cambridge")));
		assertTrue(e.getMessage().contains("\"Cambridge\"") && e.getMessage().contains(
			"\"UCL\", \"KCL\", \"Oxford\""), e.getMessage());

		e = assertThrows(InputException.class, () -> ComBat.validate(Design.batchesOnly(
			new String[] { "UCL" }, new int[] { 0, 0, 0 }), ComBatOptions.defaults()));
		assertTrue(e.getMessage().contains("at least 2 sites"), e.getMessage());

		final int[] b2 = { 0, 0, 0, 1, 1, 1 };
		final String[] ids = { "a", "b", "c", "d", "e", "f" };
		final double[][] cov = { { 30, 1, 1, 2 }, { 40, 1, 0, 3 }, { 50, 1, 1, 4 }, { 35, 1, 0, 5 }, {
			45, 1, 1, 6 }, { 55, 1, 0, 7 } };
		// column 1 is constant, column 3 is age / 10 - 1 + ... no: "tiv" = site "KCL" + sex
		for (int j = 0; j < 6; j++)
			cov[j][3] = (b2[j] == 1 ? 1 : 0) + cov[j][2];
		final Design bad = new Design(new String[] { "UCL", "KCL" }, b2, new String[] { "age",
			"scanner_on", "sex[M]", "tiv" }, cov, ids);
		e = assertThrows(InputException.class, () -> ComBat.validate(bad, ComBatOptions.defaults()));
		final String m = e.getMessage();
		assertTrue(m.contains("2 problems"), m);
		assertTrue(m.contains("Covariate \"scanner_on\" is constant"), m);
		assertTrue(m.contains("Covariate \"tiv\" is a linear combination of site \"KCL\", " +
			"covariate \"sex[M]\""), m);

		final double[][] conf = new double[6][1];
		for (int j = 0; j < 6; j++)
			conf[j][0] = b2[j] == 0 ? 1 : 0;
		e = assertThrows(InputException.class, () -> SiteRegression.validate(new Design(new String[] {
			"UCL", "KCL" }, b2, new String[] { "scanner[A]" }, conf, ids), null));
		assertTrue(e.getMessage().contains("Covariate \"scanner[A]\" is confounded with site") && e
			.getMessage().contains("site \"UCL\""), e.getMessage());
	}

	@Test
	void singleSubjectSiteRunsInMeanOnly() {
		final SyntheticCohort c = SyntheticCohort.make(8, new int[] { 10, 1, 8 }, 30, new double[] { 0,
			2, 1 }, new double[] { 1, 1, 1 }, false);
		final FeatureMatrix m = new FeatureMatrix.DoubleRows(c.copy());
		assertThrows(InputException.class, () -> ComBat.fit(m, c.design, ComBatOptions.defaults(),
			Progress.NONE, () -> false));
		final ComBatFit fit = ComBat.fit(m, c.design, ComBatOptions.defaults().withMeanOnly(true),
			Progress.NONE, () -> false);
		assertEquals(30, fit.count(FeatureStatus.HARMONISED));
		assertEquals(1.0, fit.deltaStar(1, 0), 0.0);
	}

	@Test
	void nonParametricStaysFiniteForLargeSites() {
		final int nf = 30;
		final SyntheticCohort c = SyntheticCohort.make(11, new int[] { 600, 600 }, nf, new double[] {
			0, 1 }, new double[] { 1, 3 }, false);
		final ComBatFit fit = ComBat.fit(new FeatureMatrix.DoubleRows(c.y), c.design, ComBatOptions
			.defaults().withEb(EmpiricalBayes.NONPARAMETRIC), Progress.NONE, () -> false);
		final MathContext mc = MathContext.DECIMAL128;
		final BigDecimal e = new BigDecimal("2.718281828459045235360287471352662497757");
		for (int k = 0; k < 2; k++) {
			final int[] subjects = c.design.subjectsOf(k);
			final int n = subjects.length;
			boolean linearUnderflows = true;
			for (int i = 0; i < nf; i++) {
				// z from the published estimates, sums of squares straight from the subjects
				final double[] z = new double[n];
				for (int s = 0; s < n; s++)
					z[s] = (c.y[subjects[s]][i] - fit.grandMean(i)) / Math.sqrt(fit.varPooled(i));
				BigDecimal sum = BigDecimal.ZERO, sg = BigDecimal.ZERO, sd = BigDecimal.ZERO;
				double linear = 0;
				for (int j = 0; j < nf; j++) {
					if (j == i) continue;
					final double g = fit.gammaHat(k, j), d = fit.deltaHatSq(k, j);
					double ss = 0;
					for (final double zs : z)
						ss += (zs - g) * (zs - g);
					final double logLh = -n / 2.0 * Math.log(2 * Math.PI * d) - ss / (2 * d);
					linear += Math.pow(2 * Math.PI * d, -n / 2.0) * Math.exp(-ss / (2 * d));
					final double fl = Math.floor(logLh);
					final BigDecimal lh = e.pow((int) fl, mc).multiply(new BigDecimal(Math.exp(logLh - fl)),
						mc);
					sum = sum.add(lh, mc);
					sg = sg.add(lh.multiply(new BigDecimal(g), mc), mc);
					sd = sd.add(lh.multiply(new BigDecimal(d), mc), mc);
				}
				linearUnderflows &= linear == 0;
				final double gRef = sg.divide(sum, mc).doubleValue(), dRef = sd.divide(sum, mc)
					.doubleValue();
				assertTrue(Double.isFinite(fit.gammaStar(k, i)) && Double.isFinite(fit.deltaStar(k, i)));
				assertEquals(gRef, fit.gammaStar(k, i), LOG_SPACE_TOL * Math.max(1, Math.abs(gRef)));
				assertEquals(dRef, fit.deltaStar(k, i), LOG_SPACE_TOL * dRef);
			}
			// the noisier site (delta-hat about 1.8): (2 pi d)^(-300) alone is below 1e-315
			if (k == 1) assertTrue(linearUnderflows, "sva's linear-space likelihoods underflow here");
		}
	}

	@Test
	void cancelStopsTheFit() {
		final SyntheticCohort c = SyntheticCohort.make(9, new int[] { 10, 10 }, 3 * VoxelBlocks.BLOCK,
			new double[] { 0, 1 }, new double[] { 1, 1 }, false);
		final FeatureMatrix m = new FeatureMatrix.DoubleRows(c.y);
		assertThrows(CancellationException.class, () -> ComBat.fit(m, c.design, ComBatOptions
			.defaults(), Progress.NONE, () -> true));
		final AtomicInteger polls = new AtomicInteger();
		assertThrows(CancellationException.class, () -> ComBat.fit(m, c.design, ComBatOptions
			.defaults().withEb(EmpiricalBayes.NONPARAMETRIC), Progress.NONE, () -> polls
				.incrementAndGet() > 8));
		assertThrows(CancellationException.class, () -> SiteRegression.fit(m, c.design, null,
			Progress.NONE, () -> true));
	}
}
