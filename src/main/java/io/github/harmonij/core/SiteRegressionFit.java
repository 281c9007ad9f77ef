// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.function.BooleanSupplier;

/**
 * A fitted linear site adjustment: per feature v the least-squares fit
 * {@code y_jv = sum_i gamma_iv [site(j) = i] + X_j beta_v + e_jv} (site one-hot, no separate
 * intercept), and the harmonised value {@code y_jv - (gamma_site(j),v - alpha_v)} with
 * {@code alpha_v = sum_i (n_i / N) gamma_iv}, or the reference site's gamma. Site means are
 * removed; covariate effects and residuals are kept. Estimates of features that are not
 * HARMONISED are NaN. Immutable and thread-safe.
 */
public final class SiteRegressionFit implements HarmonisationFit {

	final Design design;

	final FactoredDesign x;

	final int nFeatures;

	/** Reference site index, or -1. */
	final int ref;

	final byte[] status;

	final long[] counts = new long[FeatureStatus.values().length];

	/** [k * V + v] */
	final double[] gamma;

	/** [c * V + v] */
	final double[] betaHat;

	final double[] alpha;

	SiteRegressionFit(final Design design, final FactoredDesign x, final int ref,
		final int nFeatures)
	{
		this.design = design;
		this.ref = ref;
		this.x = x;
		this.nFeatures = nFeatures;
		status = new byte[nFeatures];
		gamma = new double[x.nBatches * nFeatures];
		betaHat = new double[x.nCov * nFeatures];
		alpha = new double[nFeatures];
	}

	@Override
	public Design design() {
		return design;
	}

	@Override
	public int nFeatures() {
		return nFeatures;
	}

	@Override
	public FeatureStatus status(final int feature) {
		return FeatureStatus.of(status[feature]);
	}

	@Override
	public long count(final FeatureStatus s) {
		return counts[s.ordinal()];
	}

	/** @return gamma_iv, the fitted level of site {@code batch} (covariates at zero) */
	public double gamma(final int batch, final int v) {
		return gamma[batch * nFeatures + v];
	}

	/** @return beta_cv, the coefficient of coded covariate column {@code cov} */
	public double betaHat(final int cov, final int v) {
		return betaHat[cov * nFeatures + v];
	}

	/** @return alpha_v, the common level sites are moved to: sum_i (n_i / N) gamma_iv or gamma_ref */
	public double alpha(final int v) {
		return alpha[v];
	}

	/** @return the reference site's index, or -1 */
	public int refBatch() {
		return ref;
	}

	/** y* = y - (gamma_site - alpha), through {@link #model()} with the fit's own design. */
	@Override
	public void apply(final FeatureMatrix in, final FeatureMatrix out, final Progress progress,
		final BooleanSupplier canceled)
	{
		model().apply(design, in, out, progress, canceled);
	}

	/** @return the parameters that harmonise subjects (shares this fit's arrays, no copy) */
	@Override
	public HarmonisationModel model() {
		return new HarmonisationModel(HarmonisationModel.Kind.SITE_REGRESSION, design
			.batchLevels(), ref, design.covariateNames(), status, alpha, null, betaHat, gamma, null);
	}
}
