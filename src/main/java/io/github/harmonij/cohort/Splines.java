// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import java.util.Arrays;

import io.github.harmonij.core.InputException;

/**
 * Natural cubic regression splines for smooth covariates ({@code smooth=age}), the ComBat-GAM use
 * case (Pomponio et al. 2020, NeuroImage 208:116450) with a fixed basis instead of a penalised
 * one, so that every feature shares one design matrix.
 * <p>
 * Knots: with {@code df} degrees of freedom there are K = df + 1 knots at the type-7 quantiles
 * (R's default {@code quantile}) of the training values at probabilities 0, 1/df, ..., 1; the
 * first and last are the boundary knots (minimum and maximum). The covariate is first mapped to
 * {@code u = (x - xi_1) / (xi_K - xi_1)} (knots likewise to {@code kappa_1 = 0 ... kappa_K = 1}),
 * which keeps the columns of order 1. The basis is the truncated-power form of a natural cubic
 * spline (Hastie, Tibshirani and Friedman, <i>The Elements of Statistical Learning</i>, 2nd ed.,
 * eqs. 5.4-5.5):
 * <pre>
 * N_1(u) = u,   N_{k+1}(u) = d_k(u) - d_{K-1}(u)  for k = 1 .. K-2,
 * d_k(u) = ((u - kappa_k)_+^3 - (u - kappa_K)_+^3) / (kappa_K - kappa_k)
 * </pre>
 * which is cubic between knots, has continuous second derivatives and is linear beyond the
 * boundary knots; with the intercept (the site columns) it spans every natural cubic spline on
 * these knots. Thread-safe, no state.
 */
public final class Splines {

	/** Largest number of degrees of freedom per smooth covariate. */
	public static final int MAX_DF = 10;

	private Splines() {}

	/**
	 * @param values the training values, finite
	 * @param df degrees of freedom, 1 to {@link #MAX_DF}
	 * @param name the covariate, for messages
	 * @return df + 1 increasing knots, boundary knots first and last
	 * @throws InputException if the quantiles are not distinct (too few distinct values)
	 */
	public static double[] knots(final double[] values, final int df, final String name) {
		final double[] x = values.clone();
		Arrays.sort(x);
		final int n = x.length;
		final double[] k = new double[df + 1];
		for (int i = 0; i <= df; i++) {
			final double h = (n - 1) * (double) i / df;
			final int lo = (int) Math.floor(h);
			final int hi = Math.min(lo + 1, n - 1);
			k[i] = x[lo] + (h - lo) * (x[hi] - x[lo]);
		}
		for (int i = 1; i <= df; i++)
			if (!(k[i] > k[i - 1])) throw new InputException("The smooth covariate " + name +
				" has too few distinct values for " + df + " degrees of freedom (knots at its " +
				"quantiles coincide: " + Arrays.toString(k) + "). Lower smooth_df or make " + name +
				" a linear covariate.");
		return k;
	}

	/**
	 * @param x the covariate value (beyond the boundary knots the basis continues linearly)
	 * @param knots increasing knots as from {@link #knots}
	 * @return the knots.length - 1 basis values N_1(u) ... N_{K-1}(u)
	 */
	public static double[] basis(final double x, final double[] knots) {
		final int kk = knots.length;
		final double lo = knots[0], range = knots[kk - 1] - lo;
		final double u = (x - lo) / range;
		final double[] out = new double[kk - 1];
		out[0] = u;
		final double last = d(u, (knots[kk - 2] - lo) / range);
		for (int k = 0; k < kk - 2; k++)
			out[k + 1] = d(u, (knots[k] - lo) / range) - last;
		return out;
	}

	/**
	 * The inverse of the first basis column, which is linear in x: N_1 = (x - xi_1) / (xi_K - xi_1).
	 *
	 * @return the covariate value whose basis starts with {@code n1}
	 */
	public static double value(final double n1, final double[] knots) {
		return knots[0] + n1 * (knots[knots.length - 1] - knots[0]);
	}

	/** d_k(u) with kappa_K = 1. */
	private static double d(final double u, final double kappa) {
		final double a = Math.max(0, u - kappa), b = Math.max(0, u - 1);
		return (a * a * a - b * b * b) / (1 - kappa);
	}
}
