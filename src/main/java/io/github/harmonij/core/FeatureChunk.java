// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

/**
 * The working arrays of a {@link MeanModel} and a {@link ScaleModel} on one chunk of features:
 * the data of every subject for features {@code [from, from + len)}, and what the two models
 * estimate from them. Subject-major: subject j's value of the chunk's feature v is at
 * {@code [j * len + v]}; per-column estimates are column-major, {@code [q * len + v]}. One per
 * thread and block, reused from chunk to chunk (sized for the longest chunk); not thread-safe.
 */
final class FeatureChunk {

	final int n;

	/** Columns of the mean model: site columns first, then the coded covariates. */
	final int p;

	final int nSites;

	/** The fit's status array (all features), written at {@code [from + v]} by the screen. */
	final byte[] status;

	int from, len;

	/** The data, {@code y[j * len + v]}. */
	final double[] y;

	/** Coefficients {@code coef[q * len + v]}: site columns, then covariates (beta). */
	final double[] coef;

	/** alpha_v, the location sites are moved to (a weighted sum of the site columns). */
	final double[] location;

	/**
	 * The standardisation mean {@code alpha_v + X_j beta_v} (the mean without the site; a mixed
	 * model adds the subject's BLUP), when {@link MeanModel.Fitter#means} has run.
	 */
	final double[] mean;

	/** {@code y - fitted} with the site, when {@link MeanModel.Fitter#residuals} has run. */
	final double[] residual;

	/** sigma^2_v, written by the {@link ScaleModel}. */
	final double[] var;

	/**
	 * The residual variance sigma^2_v of a mean model that estimates one (a mixed model,
	 * {@link RandomInterceptMean}), written by its fit for a {@link ScaleModel} to use; else unused.
	 */
	final double[] modelVar;

	/**
	 * A per-subject part of the fitted value that is not a column of the design, {@code [j * len +
	 * v]}: the random intercept's estimate (BLUP) of subject j's subject, written by
	 * {@link RandomInterceptMean}'s fit for its residuals and means; else unused. Allocated with the
	 * mean and residual arrays.
	 */
	final double[] offset;

	/**
	 * @param standardise whether the mean and residual arrays are needed (a location-scale fit);
	 *          without, they are empty ({@code n x maxLen} doubles each saved per block)
	 */
	FeatureChunk(final int n, final int p, final int nSites, final byte[] status,
		final int maxLen, final boolean standardise)
	{
		this.n = n;
		this.p = p;
		this.nSites = nSites;
		this.status = status;
		y = new double[n * maxLen];
		coef = new double[p * maxLen];
		location = new double[maxLen];
		mean = new double[standardise ? n * maxLen : 0];
		residual = new double[standardise ? n * maxLen : 0];
		var = new double[maxLen];
		modelVar = new double[maxLen];
		offset = new double[standardise ? n * maxLen : 0];
	}

	/** Reads features {@code [from, from + len)} of every subject into {@link #y}. */
	FeatureChunk read(final FeatureMatrix data, final int from, final int len) {
		this.from = from;
		this.len = len;
		for (int j = 0; j < n; j++)
			data.get(j, from, from + len, y, j * len);
		return this;
	}

	/** @return whether the chunk's feature v is harmonised (passed the screen) */
	boolean ok(final int v) {
		return status[from + v] == 0;
	}
}
