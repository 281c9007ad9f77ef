// SPDX-License-Identifier: MIT
package io.github.harmonij.core.stats;

import java.util.Arrays;

import io.github.harmonij.core.Design;

/**
 * The per-feature statistics of {@link SiteTests#run}: arrays indexed by feature (masked voxel or
 * table column), NaN where a feature was not tested (non-finite, constant or fitted exactly).
 * Accessors return copies; the object is effectively immutable once returned.
 */
public final class SiteTestResult {

	private final Design design;

	private final int nInterest;

	private final int df2Site;

	private final int df2Interest;

	final double[] siteF, siteP, lrt, lrtP, leveneF, leveneP, interestStat, interestP;

	final double[] meanResidual;

	SiteTestResult(final Design design, final int nInterest, final int nFeatures,
		final int df2Site, final int df2Interest)
	{
		this.design = design;
		this.nInterest = nInterest;
		this.df2Site = df2Site;
		this.df2Interest = df2Interest;
		siteF = nan(nFeatures);
		siteP = nan(nFeatures);
		lrt = nan(nFeatures);
		lrtP = nan(nFeatures);
		leveneF = nan(nFeatures);
		leveneP = nan(nFeatures);
		interestStat = nan(nFeatures);
		interestP = nan(nFeatures);
		meanResidual = new double[design.nSubjects()];
	}

	/** @return the design tested */
	public Design design() {
		return design;
	}

	/** @return the number of features */
	public int nFeatures() {
		return siteF.length;
	}

	/** @return how many features were tested (finite site F) */
	public int nTested() {
		int c = 0;
		for (final double f : siteF)
			if (!Double.isNaN(f)) c++;
		return c;
	}

	/** @return degrees of freedom of the site F: {K - 1, N - p1} */
	public int[] siteDf() {
		return new int[] { design.nBatches() - 1, df2Site };
	}

	/** @return degrees of freedom of the Brown-Forsythe F: {K - 1, N - K} */
	public int[] leveneDf() {
		return new int[] { design.nBatches() - 1, design.nSubjects() - design.nBatches() };
	}

	/** @return degrees of freedom of the interest test: {columns, N - p1} */
	public int[] interestDf() {
		return new int[] { nInterest, df2Interest };
	}

	/** @return whether a covariate of interest was tested */
	public boolean hasInterest() {
		return nInterest > 0;
	}

	/** @return "t" if the covariate of interest has one design column, "F" if several */
	public String interestStatName() {
		return nInterest == 1 ? "t" : "F";
	}

	/** @return F of site (covariate model against covariate + site model) */
	public double[] siteF() {
		return siteF.clone();
	}

	/** @return p of the site F */
	public double[] siteP() {
		return siteP.clone();
	}

	/** @return the likelihood ratio N log(RSS0 / RSS1) */
	public double[] lrt() {
		return lrt.clone();
	}

	/** @return p of the likelihood ratio (chi-squared, K - 1 df) */
	public double[] lrtP() {
		return lrtP.clone();
	}

	/** @return Brown-Forsythe F of equal variance across sites */
	public double[] leveneF() {
		return leveneF.clone();
	}

	/** @return p of the Brown-Forsythe F */
	public double[] leveneP() {
		return leveneP.clone();
	}

	/** @return t (one column) or F (several) of the covariate of interest; NaN without one */
	public double[] interestStat() {
		return interestStat.clone();
	}

	/** @return p of the interest test (two-sided for t) */
	public double[] interestP() {
		return interestP.clone();
	}

	/**
	 * @return each subject's covariate-model residual averaged over the tested features: a
	 *         one-number-per-subject view of site shifts for box plots
	 */
	public double[] meanResidual() {
		return meanResidual.clone();
	}

	// -- Helper methods --

	private static double[] nan(final int n) {
		final double[] a = new double[n];
		Arrays.fill(a, Double.NaN);
		return a;
	}
}
