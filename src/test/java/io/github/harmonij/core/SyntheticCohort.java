// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.SplittableRandom;

/**
 * Deterministic synthetic cohorts with planted effects: for subject j of site k and feature v,
 * {@code y = base_v + age_j ageEffect_v + group_j groupEffect_v + shift_k (1 + u_v / 2)
 * + scale_k (1 + u'_v / 4) e_jv}, with integer ages 20-80, group 0/1 and standard normal e.
 */
final class SyntheticCohort {

	static final int AGE = 0, GROUP = 1;

	final Design design;

	/** subjects x features */
	final double[][] y;

	final double[] ageEffect, groupEffect;

	private SyntheticCohort(final Design design, final double[][] y, final double[] ageEffect,
		final double[] groupEffect)
	{
		this.design = design;
		this.y = y;
		this.ageEffect = ageEffect;
		this.groupEffect = groupEffect;
	}

	static SyntheticCohort make(final long seed, final int[] sizes, final int nFeatures,
		final double[] shift, final double[] scale, final boolean covariates)
	{
		final SplittableRandom r = new SplittableRandom(seed);
		int n = 0;
		for (final int s : sizes)
			n += s;
		final String[] levels = new String[sizes.length];
		for (int k = 0; k < levels.length; k++)
			levels[k] = "S" + (k + 1);
		final int[] batch = new int[n];
		final double[][] cov = new double[n][covariates ? 2 : 0];
		final String[] ids = new String[n];
		for (int k = 0, j = 0; k < sizes.length; k++)
			for (int i = 0; i < sizes[k]; i++, j++) {
				batch[j] = k;
				ids[j] = "sub-" + (j + 1);
				if (covariates) {
					cov[j][AGE] = 20 + r.nextInt(61);
					cov[j][GROUP] = r.nextInt(2);
				}
			}
		final Design d = new Design(levels, batch, covariates ? new String[] { "age", "group[1]" }
			: new String[0], cov, ids);
		final double[] base = new double[nFeatures], age = new double[nFeatures],
				group = new double[nFeatures], su = new double[nFeatures], sc = new double[nFeatures];
		for (int v = 0; v < nFeatures; v++) {
			base[v] = 100 + 10 * r.nextDouble();
			age[v] = covariates ? -0.05 + 0.1 * r.nextDouble() : 0;
			group[v] = covariates ? 2 * r.nextDouble() - 1 : 0;
			su[v] = 1 + (r.nextDouble() - 0.5);
			sc[v] = 1 + (r.nextDouble() - 0.5) / 2;
		}
		final double[][] y = new double[n][nFeatures];
		for (int j = 0; j < n; j++) {
			final int k = batch[j];
			for (int v = 0; v < nFeatures; v++) {
				final double a = covariates ? cov[j][AGE] : 0, g = covariates ? cov[j][GROUP] : 0;
				y[j][v] = base[v] + a * age[v] + g * group[v] + shift[k] * su[v] + scale[k] * sc[v] *
					gaussian(r);
			}
		}
		return new SyntheticCohort(d, y, age, group);
	}

	static double gaussian(final SplittableRandom r) {
		// Box-Muller: SplittableRandom has no nextGaussian in Java 11
		final double u = 1 - r.nextDouble(), w = r.nextDouble();
		return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
	}

	double[][] copy() {
		return CombatReferenceTest.copy(y);
	}

	int nFeatures() {
		return y[0].length;
	}

	/** Mean over the subjects of site k of {@code m[j][v] - X_j beta_v}. */
	static double siteMean(final double[][] m, final Design d, final int k, final int v,
		final double[] beta)
	{
		double s = 0;
		int n = 0;
		for (int j = 0; j < m.length; j++)
			if (d.batch(j) == k) {
				s += residual(m, d, j, v, beta);
				n++;
			}
		return s / n;
	}

	/** Sample variance (ddof 1) over site k of {@code m[j][v] - X_j beta_v}. */
	static double siteVar(final double[][] m, final Design d, final int k, final int v,
		final double[] beta)
	{
		final double mean = siteMean(m, d, k, v, beta);
		double s = 0;
		int n = 0;
		for (int j = 0; j < m.length; j++)
			if (d.batch(j) == k) {
				final double e = residual(m, d, j, v, beta) - mean;
				s += e * e;
				n++;
			}
		return s / (n - 1);
	}

	private static double residual(final double[][] m, final Design d, final int j, final int v,
		final double[] beta)
	{
		double r = m[j][v];
		for (int c = 0; c < d.nCovariates(); c++)
			r -= d.covariate(j, c) * beta[c];
		return r;
	}
}
