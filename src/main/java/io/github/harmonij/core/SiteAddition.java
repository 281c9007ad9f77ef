// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Adds a site to a fitted {@link HarmonisationModel} without changing any of its parameters
 * (neuroHarmonize's {@code harmonizationLearn(..., orig_model=...)} idea): the new site is fitted
 * against the frozen grand mean {@code alpha_v}, pooled variance {@code sigma^2_v} and covariate
 * coefficients {@code beta_cv}, and only its own {@code gamma*} and {@code delta*} are estimated.
 * The old sites' parameters are copied, so their subjects are harmonised bit for bit as before.
 * <p>
 * ComBat models: for the new site's n subjects with coded covariates {@code X_j},
 * {@code z_jv = (y_jv - alpha_v - X_j beta_v) / sigma_v}; per feature
 * {@code gammaHat_v = mean_j z_jv} and {@code deltaHatSq_v = var_j z_jv} (denominator n - 1;
 * 1 in mean-only mode). Priors across the usable features of the new site alone (Johnson et al.
 * 2007, as sva): {@code gammaBar = mean gammaHat}, {@code tau2 = var gammaHat} (n - 1),
 * and with {@code m}, {@code s2} the mean and variance of {@code deltaHatSq},
 * {@code aPrior = (2 s2 + m^2) / s2}, {@code bPrior = (m s2 + m^3) / s2}. Then:
 * <ul>
 * <li>parametric: sva {@code it.sol}, {@code gamma = (n tau2 gammaHat + delta gammaBar) /
 * (n tau2 + delta)}, {@code delta = (sum_j (z_j - gamma)^2 / 2 + bPrior) / (n / 2 + aPrior - 1)},
 * every feature in lockstep until the largest relative change is at most 1e-4; in mean-only
 * mode sva's {@code postmean} with n = 1 and delta* = 1;</li>
 * <li>non-parametric: sva {@code int.eprior} over the new site's usable features;</li>
 * <li>none: {@code gamma* = gammaHat}, {@code delta* = deltaHatSq}.</li>
 * </ul>
 * Linear site adjustment models: the site level is {@code gamma_v = mean_j (y_jv - X_j beta_v)},
 * in the convention of {@link SiteRegression} (one-hot site levels, covariates not centred), so
 * that applying shifts the new site's subjects by {@code gamma_v - alpha_v}.
 * <p>
 * Features the model left unchanged stay unchanged (NaN parameters for the new site, as a fit
 * writes). A feature the model harmonises but that is not finite in some new subject, or constant
 * across the new site's subjects (at least 2 of them), is left out of the priors and gets
 * {@code gamma* = 0}, {@code delta* = 1} (linear: {@code gamma = alpha}), so the new site's values
 * of that feature are left as they are (for ComBat, up to rounding in {@code z sigma + m}).
 * Deterministic: per-block partial sums are combined in block order.
 */
public final class SiteAddition {

	/** The extended model and the new site's estimates and priors (diagnostics). */
	public static final class Result {

		private final HarmonisationModel model;

		private final String site;

		private final int nSubjects;

		private final double[] gammaHat;

		private final double[] deltaHatSq;

		private final long usable;

		private final long leftOut;

		double gammaBar = Double.NaN, tau2 = Double.NaN, aPrior = Double.NaN, bPrior = Double.NaN;

		int iterations;

		Result(final HarmonisationModel model, final String site, final int nSubjects,
			final double[] gammaHat, final double[] deltaHatSq, final long usable, final long leftOut)
		{
			this.model = model;
			this.site = site;
			this.nSubjects = nSubjects;
			this.gammaHat = gammaHat;
			this.deltaHatSq = deltaHatSq;
			this.usable = usable;
			this.leftOut = leftOut;
		}

		/** @return the old model with the new site appended as its last batch level */
		public HarmonisationModel model() {
			return model;
		}

		/** @return the new site's name */
		public String site() {
			return site;
		}

		/** @return the number of the new site's subjects the parameters were estimated from */
		public int nSubjects() {
			return nSubjects;
		}

		/**
		 * @return gammaHat_v of the new site (ComBat: mean standardised value; linear: the site
		 *         level); NaN for features the model or the new site leaves unchanged
		 */
		public double gammaHat(final int v) {
			return gammaHat[v];
		}

		/** @return deltaHatSq_v (ComBat; 1 in mean-only mode); NaN where gammaHat is NaN */
		public double deltaHatSq(final int v) {
			return deltaHatSq[v];
		}

		/** @return features harmonised by the model and usable in the new site */
		public long usable() {
			return usable;
		}

		/**
		 * @return features harmonised by the model but not finite in some new subject or constant
		 *         in the new site: gamma* = 0, delta* = 1 for them
		 */
		public long leftOut() {
			return leftOut;
		}

		public double gammaBar() {
			return gammaBar;
		}

		public double tau2() {
			return tau2;
		}

		public double aPrior() {
			return aPrior;
		}

		public double bPrior() {
			return bPrior;
		}

		/** @return it.sol sweeps (parametric, not mean-only), else 0 */
		public int iterations() {
			return iterations;
		}
	}

	private SiteAddition() {}

	/**
	 * The smallest number of subjects a new site needs.
	 *
	 * @param meanOnly the model is ComBat in mean-only mode
	 */
	public static int minSubjects(final HarmonisationModel model, final boolean meanOnly) {
		return model.kind() == HarmonisationModel.Kind.COMBAT && !meanOnly ? 2 : 1;
	}

	/**
	 * Fits one new site against the frozen parameters of {@code model}.
	 *
	 * @param design the new site's subjects: every subject of one batch level, which the model
	 *          must not know, and the model's coded covariate columns
	 * @param data the new subjects' values, subjects by the model's features
	 * @param eb the empirical Bayes mode (ignored for the linear site adjustment)
	 * @param meanOnly whether the model is ComBat in mean-only mode (delta* = 1)
	 * @throws InputException if the design has subjects of several sites or of a site the model
	 *           knows, too few subjects, other covariate columns, data of the wrong shape, or (with
	 *           empirical Bayes) fewer than 2 usable features
	 * @throws CancellationException if canceled
	 */
	public static Result add(final HarmonisationModel model, final Design design,
		final FeatureMatrix data, final EmpiricalBayes eb, final boolean meanOnly,
		final Progress progress, final BooleanSupplier canceled)
	{
		final String site = validate(model, design, meanOnly);
		final int n = design.nSubjects(), nf = model.nFeatures();
		if (data.nSubjects() != n || data.nFeatures() != nf) throw new InputException("The data " +
			"of the new site have " + data.nSubjects() + " subjects x " + data.nFeatures() +
			" features; expected " + n + " x " + nf + " (the model's features).");
		final boolean combat = model.kind() == HarmonisationModel.Kind.COMBAT;
		final int c = design.nCovariates();
		final double[] x = model.covariates(design);
		final double[] gammaHat = new double[nf], s2 = new double[nf];
		final boolean[] use = new boolean[nf];
		VoxelBlocks.forEachBlock(nf, progress, canceled, (block, from, to) -> {
			final int len = to - from;
			final double[] y = new double[n * len];
			final double[] z = new double[n];
			for (int j = 0; j < n; j++)
				data.get(j, from, to, y, j * len);
			for (int v = from; v < to; v++) {
				gammaHat[v] = Double.NaN;
				s2[v] = Double.NaN;
				if (model.status(v) != FeatureStatus.HARMONISED) continue;
				boolean finite = true, constant = n >= 2;
				final double y0 = y[v - from];
				final double sd = combat ? Math.sqrt(model.varPooled(v)) : 1;
				for (int j = 0; j < n; j++) {
					final double yj = y[j * len + v - from];
					finite &= Double.isFinite(yj);
					constant &= yj == y0;
					double m = combat ? model.location(v) : 0;
					for (int q = 0; q < c; q++)
						m += x[j * c + q] * model.betaHat(q, v);
					z[j] = (yj - m) / sd;
				}
				if (!finite || constant) continue;
				double sum = 0;
				for (int j = 0; j < n; j++)
					sum += z[j];
				final double mean = sum / n;
				double ss = 0;
				for (int j = 0; j < n; j++)
					ss += (z[j] - mean) * (z[j] - mean);
				use[v] = true;
				gammaHat[v] = mean;
				s2[v] = !combat ? Double.NaN : meanOnly ? 1 : ss / (n - 1);
			}
		});
		long usable = 0, harmonised = 0;
		for (int v = 0; v < nf; v++) {
			if (use[v]) usable++;
			if (model.status(v) == FeatureStatus.HARMONISED) harmonised++;
		}
		final int nb = model.nBatches();
		final double[] gamma = new double[(nb + 1) * nf];
		for (int b = 0; b < nb; b++)
			for (int v = 0; v < nf; v++)
				gamma[b * nf + v] = model.gamma(b, v);
		final double[] delta = combat ? new double[(nb + 1) * nf] : null;
		if (combat) for (int b = 0; b < nb; b++)
			for (int v = 0; v < nf; v++)
				delta[b * nf + v] = model.delta(b, v);
		final int off = nb * nf;
		// s2 is NaN for every feature of a linear model (no delta-hat^2)
		final SiteEmpiricalBayes sb = new SiteEmpiricalBayes(nf, gammaHat, s2, 0, use, n, null);
		if (!combat) for (int v = 0; v < nf; v++)
			gamma[off + v] = model.status(v) != FeatureStatus.HARMONISED ? Double.NaN : use[v]
				? gammaHat[v] : model.location(v);
		else {
			if (eb != EmpiricalBayes.NONE) {
				if (usable < 2) throw new InputException("Site \"" + site + "\" has " + usable +
					" usable features (finite and not constant in its subjects, and harmonised by the " +
					"model); empirical Bayes needs at least 2. Use eb=none or check the images.");
				sb.priors(meanOnly, canceled);
			}
			final double[] g = new double[nf], d = new double[nf];
			sb.estimate(eb, meanOnly, g, d, 0, progress, canceled);
			for (int v = 0; v < nf; v++) {
				final boolean h = model.status(v) == FeatureStatus.HARMONISED;
				gamma[off + v] = !h ? Double.NaN : use[v] ? g[v] : 0;
				delta[off + v] = !h ? Double.NaN : use[v] ? d[v] : 1;
			}
		}
		final String[] levels = Arrays.copyOf(model.batchLevels(), nb + 1);
		levels[nb] = site;
		final byte[] status = new byte[nf];
		final double[] location = new double[nf];
		final double[] var = combat ? new double[nf] : null;
		final String[] cov = model.covariateNames();
		final double[] beta = new double[cov.length * nf];
		for (int v = 0; v < nf; v++) {
			status[v] = (byte) model.status(v).ordinal();
			location[v] = model.location(v);
			if (combat) var[v] = model.varPooled(v);
			for (int q = 0; q < cov.length; q++)
				beta[q * nf + v] = model.betaHat(q, v);
		}
		final HarmonisationModel extended = new HarmonisationModel(model.kind(), levels, model
			.refBatch(), cov, status, location, var, beta, gamma, delta);
		final Result out = new Result(extended, site, n, gammaHat, s2, usable, harmonised - usable);
		if (combat && eb != EmpiricalBayes.NONE) {
			out.gammaBar = sb.gammaBar;
			out.tau2 = sb.tau2;
			out.aPrior = sb.aPrior;
			out.bPrior = sb.bPrior;
			out.iterations = sb.iterations;
		}
		return out;
	}

	/**
	 * Checks the new site's design against the model before any data are read.
	 *
	 * @return the new site's name
	 * @throws InputException naming the sites and subjects: several sites, a site the model
	 *           knows (use apply), too few subjects, other covariate columns
	 */
	public static String validate(final HarmonisationModel model, final Design design,
		final boolean meanOnly)
	{
		final int[] sizes = design.batchSizes();
		final StringBuilder sites = new StringBuilder();
		int used = 0, first = -1;
		for (int b = 0; b < sizes.length; b++)
			if (sizes[b] > 0) {
				if (first < 0) first = b;
				used++;
				sites.append(sites.length() > 0 ? ", " : "").append('"').append(design.batchLevel(b))
					.append("\" (").append(sizes[b]).append(sizes[b] == 1 ? " subject)" : " subjects)");
			}
		if (used == 0) throw new InputException("No subjects of a new site were given.");
		if (used > 1) throw new InputException("The subjects come from " + used + " sites (" +
			sites + "); add one site at a time: run add-site once per site, each time on the " +
			"model the previous run wrote (each site is fitted on its own against the same frozen " +
			"parameters, so the order does not matter).");
		final String site = design.batchLevel(first);
		if (Arrays.asList(model.batchLevels()).contains(site)) throw new InputException("Site \"" +
			site + "\" is already in the model (" + String.join(", ", model.batchLevels()) + "); " +
			"harmonise its subjects with apply (apply-table) instead of adding it.");
		final int min = minSubjects(model, meanOnly);
		if (sizes[first] < min) throw new InputException("Site \"" + site + "\" has " +
			sizes[first] + " subject (" + design.subjectId(design.subjectsOf(first)[0]) + "); " +
			"adding a site to a ComBat model needs at least " + min + " for a variance (1 in " +
			"mean-only mode). Add more subjects of the site.");
		model.checkCovariates(design);
		return site;
	}

}
