// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.function.BooleanSupplier;

/**
 * A fitted ComBat model (Johnson, Li and Rabinovic 2007, Biostatistics 8:118; the sva::ComBat
 * algorithm): for subject j of site i and feature v,
 * {@code y_ijv = alpha_v + X_j beta_v + gamma_iv + sqrt(delta_iv) eps_ijv}.
 * <p>
 * Per-feature estimates are indexed by feature v in [0, {@link #nFeatures()}), site estimates by
 * batch index (the {@link Design}'s level order) and covariate estimates by coded covariate column.
 * Every per-feature estimate of a feature whose {@link #status} is not HARMONISED is NaN; such
 * features are excluded from the priors and copied through by {@link #apply}. Immutable and
 * thread-safe.
 */
public final class ComBatFit implements HarmonisationFit {

	final Design design;

	final ComBatOptions options;

	final FactoredDesign x;

	/** The method's mean model, prepared for the design. */
	final MeanModel.Fitter mean;

	/** The method's scale model, prepared for the design. */
	final ScaleModel.Fitter scale;

	final int nFeatures;

	final byte[] status;

	final long[] counts = new long[FeatureStatus.values().length];

	final double[] grandMean;

	final double[] varPooled;

	/** [c * V + v] */
	final double[] betaHat;

	/** [k * V + v] */
	final double[] gammaHat;

	/** Within-batch sample variance of the standardised data, ddof 1 (0 for a single subject). */
	final double[] sampleVar;

	final double[] gammaStar;

	final double[] deltaStar;

	final double[] gammaBar;

	final double[] tau2;

	final double[] aPrior;

	final double[] bPrior;

	final int[] iterations;

	/** Non-missing values per site and feature [k * V + v] in missing-value mode, else null. */
	final int[] nonMissing;

	ComBatFit(final Design design, final ComBatOptions options, final FactoredDesign x,
		final MeanModel.Fitter mean, final ScaleModel.Fitter scale, final int nFeatures)
	{
		this.design = design;
		this.options = options;
		this.x = x;
		this.mean = mean;
		this.scale = scale;
		this.nFeatures = nFeatures;
		final int k = x.nBatches;
		status = new byte[nFeatures];
		grandMean = new double[nFeatures];
		varPooled = new double[nFeatures];
		betaHat = new double[x.nCov * nFeatures];
		gammaHat = new double[k * nFeatures];
		sampleVar = new double[k * nFeatures];
		gammaStar = new double[k * nFeatures];
		deltaStar = new double[k * nFeatures];
		gammaBar = new double[k];
		tau2 = new double[k];
		aPrior = new double[k];
		bPrior = new double[k];
		iterations = new int[k];
		nonMissing = options.missingValues() ? new int[k * nFeatures] : null;
	}

	@Override
	public Design design() {
		return design;
	}

	/** @return the options the model was fitted with */
	public ComBatOptions options() {
		return options;
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

	/**
	 * @return alpha_v: sum_k (n_k / N) B_kv of the batch coefficients, or the reference batch's
	 *         coefficient (sva {@code grand.mean})
	 */
	public double grandMean(final int v) {
		return grandMean[v];
	}

	/**
	 * @return sigma_v^2: mean squared residual of the full model, denominator N; with a reference
	 *         batch over its subjects only, denominator n_ref (sva {@code var.pooled})
	 */
	public double varPooled(final int v) {
		return varPooled[v];
	}

	/** @return beta_cv, coefficient of coded covariate column {@code cov} (sva {@code B.hat}) */
	public double betaHat(final int cov, final int v) {
		return betaHat[cov * nFeatures + v];
	}

	/** @return gamma-hat_kv: mean of the standardised data over the subjects of batch k */
	public double gammaHat(final int batch, final int v) {
		return gammaHat[batch * nFeatures + v];
	}

	/**
	 * @return delta-hat^2_kv: sample variance (ddof 1) of the standardised data within batch k;
	 *         1 in mean-only mode (as sva)
	 */
	public double deltaHatSq(final int batch, final int v) {
		if (status[v] != 0) return Double.NaN;
		return options.meanOnly() ? 1 : sampleVar[batch * nFeatures + v];
	}

	/** @return gamma*_kv, the shrunk site shift removed from the standardised data (0 at the ref) */
	public double gammaStar(final int batch, final int v) {
		return gammaStar[batch * nFeatures + v];
	}

	/** @return delta*_kv, the shrunk site variance divided out (1 at the ref and in mean-only) */
	public double deltaStar(final int batch, final int v) {
		return deltaStar[batch * nFeatures + v];
	}

	/** @return gamma-bar_k, mean of gamma-hat over the harmonised features (prior mean) */
	public double gammaBar(final int batch) {
		return gammaBar[batch];
	}

	/** @return tau^2_k, sample variance (ddof 1) of gamma-hat over the harmonised features */
	public double tau2(final int batch) {
		return tau2[batch];
	}

	/**
	 * @return a_k = (2 s^2 + m^2) / s^2 from the mean m and variance s^2 (ddof 1) of delta-hat^2
	 *         (inverse-gamma shape); NaN in mean-only mode, where it is not used
	 */
	public double aPrior(final int batch) {
		return aPrior[batch];
	}

	/** @return b_k = (m s^2 + m^3) / s^2 (inverse-gamma scale); NaN in mean-only mode */
	public double bPrior(final int batch) {
		return bPrior[batch];
	}

	/**
	 * @return number of sweeps of sva's {@code it.sol} for batch k (parametric, location and
	 *         scale); 0 otherwise and for the reference batch
	 */
	public int iterations(final int batch) {
		return iterations[batch];
	}

	/**
	 * y* = sqrt(sigma^2) (z - gamma*_k) / sqrt(delta*_k) + standardisation mean, with
	 * z = (y - alpha - X beta) / sqrt(sigma^2) (sva's adjustment step), through {@link #model()}
	 * with the fit's own design. Subjects of the reference batch are copied unchanged.
	 */
	@Override
	public void apply(final FeatureMatrix in, final FeatureMatrix out, final Progress progress,
		final BooleanSupplier canceled)
	{
		model().apply(design, in, out, progress, canceled);
	}

	/** @return the parameters that harmonise subjects (shares this fit's arrays, no copy) */
	@Override
	public HarmonisationModel model() {
		return new HarmonisationModel(HarmonisationModel.Kind.COMBAT, design.batchLevels(), x.ref,
			design.covariateNames(), status, grandMean, varPooled, betaHat, gammaStar, deltaStar);
	}
}
