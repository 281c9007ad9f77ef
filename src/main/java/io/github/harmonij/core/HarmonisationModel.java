// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * The part of a fitted harmonisation that is needed to harmonise subjects, the training subjects
 * or new ones: per feature v the location {@code alpha_v} (ComBat's grand mean, or the common site
 * level of the linear adjustment), the covariate coefficients {@code beta_cv}, per site k the
 * shift {@code gamma_kv} and, for ComBat, the pooled variance {@code sigma^2_v} and the scale
 * {@code delta_kv}.
 * <p>
 * For a subject j of site k with coded covariates {@code X_j} and value {@code y}:
 * <ul>
 * <li>ComBat (sva's adjustment step, with the subject's own covariates):
 * {@code m = alpha + X_j beta}, {@code z = (y - m) / sigma},
 * {@code y* = (z - gamma*_k) / sqrt(delta*_k) sigma + m};</li>
 * <li>linear site adjustment: {@code y* = y - (gamma_k - alpha)}.</li>
 * </ul>
 * Subjects of the reference site, features whose {@link #status} is not HARMONISED, and values
 * that are not finite (missing) are copied unchanged. Because the covariate effect
 * {@code X_j beta} is added back, a new subject keeps its own covariate effects (neuroHarmonize
 * before 2.5.0 and neuroCombatFromTraining drop them). Applying a model to the subjects it was
 * fitted on gives exactly the one-shot result: {@link HarmonisationFit#apply} runs this code.
 * <p>
 * Arrays are taken over, not copied: a caller must not change them afterwards. Immutable once
 * built and thread-safe.
 */
public final class HarmonisationModel {

	/** Which adjustment the parameters describe. */
	public enum Kind {
		/** ComBat location and scale (or location only with delta = 1). */
		COMBAT,
		/** Linear site adjustment: site levels only. */
		SITE_REGRESSION
	}

	private final Kind kind;

	private final String[] batchLevels;

	private final int ref;

	private final String[] covariateNames;

	private final int nFeatures;

	private final byte[] status;

	private final double[] location;

	private final double[] varPooled;

	private final double[] betaHat;

	private final double[] gamma;

	private final double[] delta;

	/**
	 * @param kind the adjustment
	 * @param batchLevels the sites the model knows, in model order
	 * @param ref index of the reference site in {@code batchLevels}, or -1
	 * @param covariateNames the coded covariate columns, in model order
	 * @param status a {@link FeatureStatus} ordinal per feature
	 * @param location {@code alpha[v]}
	 * @param varPooled {@code sigma^2[v]} (ComBat), or null
	 * @param betaHat {@code beta[c * V + v]}
	 * @param gamma {@code gamma*[k * V + v]} (ComBat) or the site level {@code gamma[k * V + v]}
	 * @param delta {@code delta*[k * V + v]} (ComBat), or null
	 * @throws IllegalArgumentException if the array lengths do not fit together
	 */
	public HarmonisationModel(final Kind kind, final String[] batchLevels, final int ref,
		final String[] covariateNames, final byte[] status, final double[] location,
		final double[] varPooled, final double[] betaHat, final double[] gamma,
		final double[] delta)
	{
		final int nf = status.length, k = batchLevels.length;
		final boolean combat = kind == Kind.COMBAT;
		if (location.length != nf || betaHat.length != (long) covariateNames.length * nf ||
			gamma.length != (long) k * nf || combat && (varPooled == null ||
				varPooled.length != nf || delta == null || delta.length != (long) k * nf) ||
			ref < -1 || ref >= k)
			throw new IllegalArgumentException("model arrays do not fit " + nf + " features, " + k +
				" sites and " + covariateNames.length + " covariate columns");
		this.kind = kind;
		this.batchLevels = batchLevels.clone();
		this.ref = ref;
		this.covariateNames = covariateNames.clone();
		this.nFeatures = nf;
		this.status = status;
		this.location = location;
		this.varPooled = combat ? varPooled : null;
		this.betaHat = betaHat;
		this.gamma = gamma;
		this.delta = combat ? delta : null;
	}

	public Kind kind() {
		return kind;
	}

	/** @return the sites the model knows, in model order */
	public String[] batchLevels() {
		return batchLevels.clone();
	}

	/** @return the reference site's index, or -1 */
	public int refBatch() {
		return ref;
	}

	/** @return the coded covariate columns ("age", "sex[M]", "age[ns1]"), in model order */
	public String[] covariateNames() {
		return covariateNames.clone();
	}

	public int nFeatures() {
		return nFeatures;
	}

	public int nBatches() {
		return batchLevels.length;
	}

	public FeatureStatus status(final int v) {
		return FeatureStatus.values()[status[v]];
	}

	/** @return alpha_v (grand mean, or the common level); NaN if not harmonised */
	public double location(final int v) {
		return location[v];
	}

	/** @return sigma^2_v for ComBat; NaN for the linear adjustment */
	public double varPooled(final int v) {
		return varPooled == null ? Double.NaN : varPooled[v];
	}

	/** @return beta_cv of coded covariate column {@code c} */
	public double betaHat(final int c, final int v) {
		return betaHat[c * nFeatures + v];
	}

	/** @return gamma*_kv (ComBat) or the site level gamma_kv (linear adjustment) */
	public double gamma(final int k, final int v) {
		return gamma[k * nFeatures + v];
	}

	/** @return delta*_kv for ComBat; NaN for the linear adjustment */
	public double delta(final int k, final int v) {
		return delta == null ? Double.NaN : delta[k * nFeatures + v];
	}

	/**
	 * Harmonises subjects with their own design: each subject's site must be one of the model's
	 * (matched by name) and its covariate columns must be the model's, in the same order.
	 * Works block by block over features ({@link VoxelBlocks}); {@code out} may be {@code in}.
	 *
	 * @param design the subjects' sites and coded covariates (its level order does not matter)
	 * @throws InputException naming the subjects of sites the model was not fitted with, or if the
	 *           covariate columns or data shapes differ from the model's
	 * @throws CancellationException if canceled; {@code out} is then partly written
	 */
	public void apply(final Design design, final FeatureMatrix in, final FeatureMatrix out,
		final Progress progress, final BooleanSupplier canceled)
	{
		final int n = design.nSubjects();
		final int[] site = siteIndex(design);
		if (!Arrays.equals(design.covariateNames(), covariateNames)) throw new InputException(
			"The subjects have covariate columns " + Arrays.toString(design.covariateNames()) +
				" but the model has " + Arrays.toString(covariateNames) + ". Give the covariates " +
				"the model was fitted with.");
		FactoredDesign.checkShape(in, "input", n, nFeatures);
		FactoredDesign.checkShape(out, "output", n, nFeatures);
		final int c = covariateNames.length;
		final double[] x = new double[n * c];
		for (int j = 0; j < n; j++)
			for (int q = 0; q < c; q++)
				x[j * c + q] = design.covariate(j, q);
		VoxelBlocks.forEachBlock(nFeatures, progress, canceled, (block, from, to) -> {
			final int chunk = Math.min(ComBat.CHUNK, to - from);
			final double[] y = new double[chunk];
			final double[] sd = new double[chunk];
			final double[] sm = new double[chunk];
			for (int v0 = from; v0 < to; v0 += chunk) {
				final int len = Math.min(chunk, to - v0);
				if (kind == Kind.COMBAT) for (int v = 0; v < len; v++)
					sd[v] = Math.sqrt(varPooled[v0 + v]);
				for (int j = 0; j < n; j++) {
					in.get(j, v0, v0 + len, y, 0);
					final int b = site[j];
					if (b != ref) {
						final int go = b * nFeatures + v0;
						if (kind == Kind.COMBAT) {
							for (int v = 0; v < len; v++)
								sm[v] = location[v0 + v];
							for (int q = 0; q < c; q++) {
								final double xq = x[j * c + q];
								final int bo = q * nFeatures + v0;
								for (int v = 0; v < len; v++)
									sm[v] += xq * betaHat[bo + v];
							}
							for (int v = 0; v < len; v++) {
								if (status[v0 + v] != 0 || !Double.isFinite(y[v])) continue;
								final double z = (y[v] - sm[v]) / sd[v];
								y[v] = (z - gamma[go + v]) / Math.sqrt(delta[go + v]) * sd[v] + sm[v];
							}
						}
						else for (int v = 0; v < len; v++)
							if (status[v0 + v] == 0 && Double.isFinite(y[v])) y[v] -= gamma[go + v] -
								location[v0 + v];
					}
					out.set(j, v0, v0 + len, y, 0);
				}
			}
		});
	}

	// -- Helper methods --

	/** Model site index of each subject; every unknown site is reported with its subjects. */
	private int[] siteIndex(final Design design) {
		final int n = design.nSubjects();
		final int[] map = new int[design.nBatches()];
		for (int b = 0; b < map.length; b++)
			map[b] = Arrays.asList(batchLevels).indexOf(design.batchLevel(b));
		final List<String> problems = new ArrayList<>();
		for (int b = 0; b < map.length; b++) {
			if (map[b] >= 0) continue;
			final List<String> who = new ArrayList<>();
			for (int j = 0; j < n; j++)
				if (design.batch(j) == b) who.add(design.subjectId(j));
			if (!who.isEmpty()) problems.add("Site \"" + design.batchLevel(b) + "\" (" + (who
				.size() > 5 ? who.size() + " subjects, " + String.join(", ", who.subList(0, 5)) +
					", ..." : "subject" + (who.size() > 1 ? "s " : " ") + String.join(", ", who)) +
				") is not one of the sites the model was fitted with (" + FactoredDesign.quoteAll(
					batchLevels) + "). Harmonise only subjects of those sites, or add the site to " +
				"the model (see docs/models.md).");
		}
		InputException.throwIfAny(problems.size() + " sites are unknown to the model:", problems);
		final int[] site = new int[n];
		for (int j = 0; j < n; j++)
			site[j] = map[design.batch(j)];
		return site;
	}
}
