// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * A site added to a fitted model ({@link SiteAddition}, neuroHarmonize's {@code orig_model}): the
 * new site's parameters are those of a direct computation (no empirical Bayes, parametric and
 * non-parametric; the linear adjustment's site level), the old sites' are kept exactly, and a
 * site of one subject or one the model knows is refused naming it. (End to end on tables:
 * {@code cli.AddSiteTableCliTest}.)
 */
class SiteAdditionTest {

	/** Double algebra: the same formulas summed in another order. */
	private static final double ALGEBRA_TOL = 1e-12;

	@Test
	void theNewSitesParametersAreTheDirectComputation() {
		// 2 features, covariate age, 2 old sites; the new site has 3 subjects
		final double[] alpha = { 10, -2 }, var = { 4, 0.25 }, beta = { 0.5, -0.1 };
		final HarmonisationModel model = new HarmonisationModel(HarmonisationModel.Kind.COMBAT,
			new String[] { "A", "B" }, -1, new String[] { "age" }, new byte[2], alpha, var, beta,
			new double[] { 0.3, -0.2, -0.3, 0.2 }, new double[] { 1.1, 0.9, 0.8, 1.2 });
		final double[] age = { 1, 2, 4 };
		final double[][] y = { { 12, -1.5 }, { 13.5, -2.0 }, { 11, -2.6 } };
		final Design d = new Design(new String[] { "C" }, new int[3], new String[] { "age" },
			new double[][] { { 1 }, { 2 }, { 4 } }, new String[] { "c1", "c2", "c3" });
		final SiteAddition.Result none = SiteAddition.add(model, d, new FeatureMatrix.DoubleRows(y),
			EmpiricalBayes.NONE, false, Progress.NONE, () -> false);
		final double[] gh = new double[2], dh = new double[2];
		for (int v = 0; v < 2; v++) {
			final double[] z = new double[3];
			for (int j = 0; j < 3; j++)
				z[j] = (y[j][v] - alpha[v] - age[j] * beta[v]) / Math.sqrt(var[v]);
			gh[v] = (z[0] + z[1] + z[2]) / 3;
			dh[v] = ((z[0] - gh[v]) * (z[0] - gh[v]) + (z[1] - gh[v]) * (z[1] - gh[v]) + (z[2] -
				gh[v]) * (z[2] - gh[v])) / 2;
			assertEquals(gh[v], none.model().gamma(2, v), ALGEBRA_TOL, "gamma-hat " + v);
			assertEquals(dh[v], none.model().delta(2, v), ALGEBRA_TOL, "delta-hat^2 " + v);
		}
		// parametric: priors over the 2 features and it.sol written out directly
		final double gb = (gh[0] + gh[1]) / 2, t2 = (gh[0] - gb) * (gh[0] - gb) + (gh[1] - gb) *
			(gh[1] - gb);
		final double m = (dh[0] + dh[1]) / 2, s2 = (dh[0] - m) * (dh[0] - m) + (dh[1] - m) * (dh[1] -
			m);
		final double a = (2 * s2 + m * m) / s2, b = (m * s2 + m * m * m) / s2;
		final double[] g = gh.clone(), dd = dh.clone();
		double change;
		int sweeps = 0;
		do {
			change = 0;
			for (int v = 0; v < 2; v++) {
				final double gNew = (3 * t2 * gh[v] + dd[v] * gb) / (3 * t2 + dd[v]);
				double sum2 = 0;
				for (int j = 0; j < 3; j++) {
					final double z = (y[j][v] - alpha[v] - age[j] * beta[v]) / Math.sqrt(var[v]);
					sum2 += (z - gNew) * (z - gNew);
				}
				final double dNew = (sum2 / 2 + b) / (3 / 2.0 + a - 1);
				change = Math.max(change, Math.max(Math.abs(gNew - g[v]) / g[v], Math.abs(dNew - dd[v]) /
					dd[v]));
				g[v] = gNew;
				dd[v] = dNew;
			}
			sweeps++;
		}
		while (change > 1e-4);
		final SiteAddition.Result par = SiteAddition.add(model, d, new FeatureMatrix.DoubleRows(y),
			EmpiricalBayes.PARAMETRIC, false, Progress.NONE, () -> false);
		assertEquals(sweeps, par.iterations());
		assertEquals(a, par.aPrior(), 1e-9 * Math.abs(a));
		for (int v = 0; v < 2; v++) {
			assertEquals(g[v], par.model().gamma(2, v), ALGEBRA_TOL, "gamma* " + v);
			assertEquals(dd[v], par.model().delta(2, v), ALGEBRA_TOL, "delta* " + v);
			for (int k = 0; k < 2; k++) {
				assertEquals(model.gamma(k, v), par.model().gamma(k, v), 0.0);
				assertEquals(model.delta(k, v), par.model().delta(k, v), 0.0);
			}
		}
		// linear adjustment: the site level is mean(y - X beta)
		final HarmonisationModel lin = new HarmonisationModel(HarmonisationModel.Kind
			.SITE_REGRESSION, new String[] { "A", "B" }, -1, new String[] { "age" }, new byte[2],
			alpha, null, beta, new double[] { 9, -1, 11, -3 }, null);
		final SiteAddition.Result l = SiteAddition.add(lin, d, new FeatureMatrix.DoubleRows(y),
			EmpiricalBayes.PARAMETRIC, false, Progress.NONE, () -> false);
		for (int v = 0; v < 2; v++) {
			double s = 0;
			for (int j = 0; j < 3; j++)
				s += y[j][v] - age[j] * beta[v];
			assertEquals(s / 3, l.model().gamma(2, v), ALGEBRA_TOL, "site level " + v);
		}
		// a constant feature is left out: gamma* 0, delta* 1
		final double[][] yc = { { 12, -1.5 }, { 12, -2.0 }, { 12, -2.6 } };
		final SiteAddition.Result c = SiteAddition.add(model, d, new FeatureMatrix.DoubleRows(yc),
			EmpiricalBayes.NONE, false, Progress.NONE, () -> false);
		assertEquals(0.0, c.model().gamma(2, 0), 0.0);
		assertEquals(1.0, c.model().delta(2, 0), 0.0);
		assertEquals(1, c.leftOut());
		// one subject is too few for ComBat's variance; a known site is refused
		final Design one = new Design(new String[] { "C" }, new int[1], new String[] { "age" },
			new double[][] { { 1 } }, new String[] { "c1" });
		final InputException e = assertThrows(InputException.class, () -> SiteAddition.add(model,
			one, new FeatureMatrix.DoubleRows(new double[][] { y[0] }), EmpiricalBayes.NONE, false,
			Progress.NONE, () -> false));
		assertTrue(e.getMessage().contains("Site \"C\" has 1 subject (c1)"), e.getMessage());
		final Design known = new Design(new String[] { "B" }, new int[3], new String[] { "age" },
			new double[][] { { 1 }, { 2 }, { 4 } }, new String[] { "c1", "c2", "c3" });
		final InputException k = assertThrows(InputException.class, () -> SiteAddition.add(model,
			known, new FeatureMatrix.DoubleRows(y), EmpiricalBayes.NONE, false, Progress.NONE,
			() -> false));
		assertTrue(k.getMessage().contains("Site \"B\" is already in the model"), k.getMessage());
	}

	/**
	 * Non-parametric empirical Bayes for the new site: sva's {@code int.eprior} written out
	 * directly (leave-one-out weights over the site's other features, each the product over its
	 * subjects of normal densities at gamma-hat_j with variance delta-hat^2_j).
	 */
	@Test
	void theNewSitesNonParametricPriorsAreTheDirectComputation() {
		final int nf = 6;
		final double[] alpha = new double[nf], var = new double[nf], beta = new double[nf];
		final double[] gamma = new double[2 * nf], delta = new double[2 * nf];
		final Random rng = new Random(5);
		for (int v = 0; v < nf; v++) {
			alpha[v] = 10 * rng.nextDouble();
			var[v] = 0.5 + rng.nextDouble();
			beta[v] = 0.2 * rng.nextGaussian();
			for (int k = 0; k < 2; k++) {
				gamma[k * nf + v] = 0.3 * rng.nextGaussian();
				delta[k * nf + v] = 0.8 + 0.4 * rng.nextDouble();
			}
		}
		final HarmonisationModel model = new HarmonisationModel(HarmonisationModel.Kind.COMBAT,
			new String[] { "A", "B" }, -1, new String[] { "age" }, new byte[nf], alpha, var, beta,
			gamma, delta);
		final int n = 5;
		final double[] age = new double[n];
		final double[][] y = new double[n][nf], cov = new double[n][1];
		final String[] ids = new String[n];
		for (int j = 0; j < n; j++) {
			age[j] = cov[j][0] = 20 + 50 * rng.nextDouble();
			ids[j] = "c" + j;
			for (int v = 0; v < nf; v++)
				y[j][v] = alpha[v] + age[j] * beta[v] + 0.4 + 1.3 * Math.sqrt(var[v]) * rng
					.nextGaussian();
		}
		final Design d = new Design(new String[] { "C" }, new int[n], new String[] { "age" }, cov,
			ids);
		final double[][] z = new double[nf][n];
		final double[] gh = new double[nf], dh = new double[nf];
		for (int v = 0; v < nf; v++) {
			for (int j = 0; j < n; j++) {
				z[v][j] = (y[j][v] - alpha[v] - age[j] * beta[v]) / Math.sqrt(var[v]);
				gh[v] += z[v][j] / n;
			}
			for (int j = 0; j < n; j++)
				dh[v] += (z[v][j] - gh[v]) * (z[v][j] - gh[v]) / (n - 1);
		}
		final SiteAddition.Result np = SiteAddition.add(model, d, new FeatureMatrix.DoubleRows(y),
			EmpiricalBayes.NONPARAMETRIC, false, Progress.NONE, () -> false);
		for (int i = 0; i < nf; i++) {
			double sl = 0, sg = 0, sd = 0;
			for (int jf = 0; jf < nf; jf++) {
				if (jf == i) continue;
				double sum2 = 0;
				for (int s = 0; s < n; s++)
					sum2 += (z[i][s] - gh[jf]) * (z[i][s] - gh[jf]);
				final double lh = Math.pow(2 * Math.PI * dh[jf], -n / 2.0) * Math.exp(-sum2 / (2 *
					dh[jf]));
				sl += lh;
				sg += gh[jf] * lh;
				sd += dh[jf] * lh;
			}
			assertEquals(sg / sl, np.model().gamma(2, i), 1e-10, "gamma* " + i);
			assertEquals(sd / sl, np.model().delta(2, i), 1e-10 * sd / sl, "delta* " + i);
			for (int k = 0; k < 2; k++) {
				assertEquals(model.gamma(k, i), np.model().gamma(k, i), 0.0);
				assertEquals(model.delta(k, i), np.model().delta(k, i), 0.0);
			}
		}
	}
}
