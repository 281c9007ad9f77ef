// SPDX-License-Identifier: MIT
package io.github.harmonij.core.stats;

import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

import io.github.harmonij.core.Design;
import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.SiteRegression;
import io.github.harmonij.core.VoxelBlocks;

/**
 * Per-feature evidence of site effects, by ordinary least squares on a design fixed across
 * features. Two nested models share one QR factorisation:
 * <ul>
 * <li>the <b>covariate model</b> M0: intercept + the design's covariates (p0 = 1 + C columns);</li>
 * <li>the <b>site model</b> M1: M0 + K - 1 treatment-coded site dummies (p1 = p0 + K - 1).</li>
 * </ul>
 * Per feature y (one column of the data):
 * <ul>
 * <li><b>site F</b> = ((RSS0 - RSS1) / (K - 1)) / (RSS1 / (N - p1)), p = P(F(K-1, N-p1) &gt; F).
 * This is R's {@code anova(lm(y ~ covariates), lm(y ~ covariates + site))} and, because site enters
 * no interaction, also the type-II ({@code car::Anova(type = 2)}) test of site;</li>
 * <li><b>likelihood ratio</b> (Gaussian maximum likelihood) LR = N log(RSS0 / RSS1), p =
 * P(chi2(K-1) &gt; LR), as {@code lmtest::lrtest} or 2 (logLik(M1) - logLik(M0));</li>
 * <li><b>Brown-Forsythe</b> (Levene's test about site medians) on the residuals r of M0: with
 * z = |r - median of r in the subject's site|, the one-way ANOVA F of z on site, df (K-1, N-K),
 * as {@code car::leveneTest(r ~ site, center = median)};</li>
 * <li>the <b>covariate of interest</b>, one or more columns of the design (a continuous covariate,
 * or the dummies of a categorical one), tested in M1 (adjusted for the other covariates and for
 * site, the usual multi-site analysis) against M1 without them: with one column its t (signed,
 * df N - p1, as {@code summary(lm(y ~ covariates + site))}), with several the type-II F. Run on
 * original and on harmonised data, the two maps agree when harmonisation kept the biology.</li>
 * </ul>
 * Let Q R = X1 be the thin QR factorisation with the columns ordered [intercept | covariates |
 * site], and c = Q' y. Then RSS1 = |y - Q c|^2 from explicit residuals, and the reduction is a sum
 * of squares of part of c, free of the cancellation in RSS0 - RSS1: RSS0 - RSS1 = sum of c_q^2 over
 * the site columns. The same with the columns ordered [intercept | other covariates | site |
 * interest] gives the interest sum of squares. X is factored once; each feature costs dot
 * products.
 * <p>
 * Features that are non-finite in some subject, constant, or fitted exactly by M1 get NaN in every
 * statistic. The work runs in {@link VoxelBlocks}; results are the same bits on any number of
 * threads. Thread-safe (no shared state).
 */
public final class SiteTests {

	/** Features per inner chunk, so that a chunk's working arrays stay in cache. */
	private static final int CHUNK = 256;

	/**
	 * A feature is "fitted exactly" when RSS1 is below this fraction of its sum of squares about
	 * the mean: the statistics would be ratios of rounding errors.
	 */
	static final double EXACT_FIT = 1e-24;

	private SiteTests() {}

	/**
	 * Checks a design for the tests before data are read.
	 *
	 * @param interest design covariate columns of the covariate of interest (may be empty)
	 * @throws InputException listing the problems: fewer than 2 sites, a constant or confounded
	 *           covariate, no residual degrees of freedom, bad interest columns
	 */
	public static void validate(final Design design, final int[] interest) {
		SiteRegression.validate(design, null);
		final int p1 = 1 + design.nCovariates() + design.nBatches() - 1;
		if (design.nSubjects() - p1 < 1) throw new InputException("The site test needs more " +
			"subjects than model columns: " + design.nSubjects() + " subjects, " + p1 +
			" columns (intercept, " + design.nCovariates() + " covariate columns, " + (design
				.nBatches() - 1) + " site columns). Add subjects or remove covariates.");
		for (final int c : interest)
			if (c < 0 || c >= design.nCovariates()) throw new IllegalArgumentException(
				"interest column out of range: " + c);
		if (Arrays.stream(interest).distinct().count() != interest.length)
			throw new IllegalArgumentException("repeated interest column");
	}

	/**
	 * Runs every test on every feature.
	 *
	 * @param data subjects (in the design's order) by features
	 * @param interest design covariate columns of the covariate of interest; empty for none
	 * @param progress told once per block
	 * @param canceled polled once per block
	 * @throws InputException for a bad design (see {@link #validate}) or data of the wrong shape
	 * @throws CancellationException if canceled
	 */
	public static SiteTestResult run(final FeatureMatrix data, final Design design,
		final int[] interest, final Progress progress, final BooleanSupplier canceled)
	{
		validate(design, interest);
		if (data.nSubjects() != design.nSubjects()) throw new InputException("The data have " + data
			.nSubjects() + " subjects but the design has " + design.nSubjects() +
			". Use the same cohort.");
		final Model m = new Model(design, interest);
		final int nf = data.nFeatures();
		final SiteTestResult r = new SiteTestResult(design, interest.length, nf, m.df2Site(), m
			.df2Interest());
		final int nBlocks = VoxelBlocks.nBlocks(nf);
		final double[][] residualSums = new double[nBlocks][m.n];
		final long[] validCounts = new long[nBlocks];
		VoxelBlocks.forEachBlock(nf, progress, canceled, (block, from, to) -> {
			final Work w = new Work(m, Math.min(CHUNK, to - from));
			for (int v0 = from; v0 < to; v0 += CHUNK) {
				final int len = Math.min(CHUNK, to - v0);
				for (int j = 0; j < m.n; j++)
					data.get(j, v0, v0 + len, w.y, j * len);
				validCounts[block] += m.chunk(w, len, v0, r, residualSums[block]);
			}
		});
		// Combined in block order: the same sum on any number of threads
		final double[] sum = new double[m.n];
		long count = 0;
		for (int b = 0; b < nBlocks; b++) {
			for (int j = 0; j < m.n; j++)
				sum[j] += residualSums[b][j];
			count += validCounts[b];
		}
		for (int j = 0; j < m.n; j++)
			r.meanResidual[j] = count > 0 ? sum[j] / count : Double.NaN;
		return r;
	}

	/**
	 * Residuals of the covariate model M0 (intercept + covariates), for plots of a few features.
	 *
	 * @return {@code r[subject][feature]}; NaN for features non-finite in some subject
	 */
	public static double[][] covariateResiduals(final FeatureMatrix data, final Design design) {
		validate(design, new int[0]);
		final Model m = new Model(design, new int[0]);
		final int nf = data.nFeatures();
		final double[][] out = new double[m.n][nf];
		final Work w = new Work(m, 1);
		for (int v = 0; v < nf; v++) {
			for (int j = 0; j < m.n; j++)
				data.get(j, v, v + 1, w.y, j);
			m.residuals(w, 1);
			for (int j = 0; j < m.n; j++)
				out[j][v] = w.finite[0] ? w.r0[j] : Double.NaN;
		}
		return out;
	}

	// -- Helper methods --

	/** Scratch arrays of one block. */
	private static final class Work {

		final double[] y, c, r1, r0, scratch, z;

		final boolean[] finite;

		Work(final Model m, final int chunk) {
			y = new double[m.n * chunk];
			c = new double[m.p1 * chunk];
			r1 = new double[m.n * chunk];
			r0 = new double[m.n * chunk];
			finite = new boolean[chunk];
			scratch = new double[m.n];
			z = new double[m.n];
		}
	}

	/** The factored design X1 = [1 | other covariates | interest | site dummies]. */
	private static final class Model {

		final int n, k, p0, p1, nInterest;

		/** Thin Q row-major: {@code q[j * p1 + col]}. */
		final double[] q;

		/**
		 * The interest columns of the thin Q of [1 | other covariates | site | interest]:
		 * {@code qi[j * nInterest + i]}.
		 */
		final double[] qi;

		/** Sign of that R's last diagonal entry (for the sign of the interest t). */
		final double lastSign;

		final int[] batch;

		final int[][] members;

		Model(final Design d, final int[] interest) {
			n = d.nSubjects();
			k = d.nBatches();
			nInterest = interest.length;
			p0 = 1 + d.nCovariates();
			p1 = p0 + k - 1;
			batch = d.batches();
			members = new int[k][];
			for (int b = 0; b < k; b++)
				members[b] = d.subjectsOf(b);
			final int[] all = new int[d.nCovariates()];
			for (int c = 0; c < all.length; c++)
				all[c] = c;
			final double[][] x = columns(d, all, 0);
			final QRDecomposition qr = new QRDecomposition(new Array2DRowRealMatrix(x, false));
			checkRank(qr.getR());
			final RealMatrix qm = qr.getQ();
			q = new double[n * p1];
			for (int j = 0; j < n; j++)
				for (int i = 0; i < p1; i++)
					q[j * p1 + i] = qm.getEntry(j, i);
			qi = new double[n * nInterest];
			if (nInterest == 0) {
				lastSign = 0;
				return;
			}
			final int[] order = new int[d.nCovariates()];
			final boolean[] isInterest = new boolean[d.nCovariates()];
			for (final int c : interest)
				isInterest[c] = true;
			int o = 0;
			for (int c = 0; c < d.nCovariates(); c++)
				if (!isInterest[c]) order[o++] = c;
			for (final int c : interest)
				order[o++] = c;
			final QRDecomposition qr2 = new QRDecomposition(new Array2DRowRealMatrix(columns(d, order,
				nInterest), false));
			final RealMatrix q2 = qr2.getQ();
			for (int j = 0; j < n; j++)
				for (int i = 0; i < nInterest; i++)
					qi[j * nInterest + i] = q2.getEntry(j, p1 - nInterest + i);
			lastSign = Math.signum(qr2.getR().getEntry(p1 - 1, p1 - 1));
		}

		/**
		 * [1 | covariates in {@code order} except the last {@code atEnd} | site dummies | the last
		 * {@code atEnd} covariates].
		 */
		private double[][] columns(final Design d, final int[] order, final int atEnd) {
			final double[][] x = new double[n][p1];
			final int lead = order.length - atEnd;
			for (int j = 0; j < n; j++) {
				x[j][0] = 1;
				for (int c = 0; c < lead; c++)
					x[j][1 + c] = d.covariate(j, order[c]);
				for (int b = 1; b < k; b++)
					x[j][lead + b] = batch[j] == b ? 1 : 0;
				for (int c = 0; c < atEnd; c++)
					x[j][lead + k + c] = d.covariate(j, order[lead + c]);
			}
			return x;
		}

		private void checkRank(final RealMatrix rm) {
			double maxDiag = 0;
			for (int i = 0; i < p1; i++)
				maxDiag = Math.max(maxDiag, Math.abs(rm.getEntry(i, i)));
			for (int i = 0; i < p1; i++)
				if (Math.abs(rm.getEntry(i, i)) <= 1e-10 * maxDiag) throw new InputException(
					"The design is singular: covariates and sites are linearly dependent. Remove " +
						"the covariate that is determined by the others.");
		}

		int df2Site() {
			return n - p1;
		}

		int df2Interest() {
			return n - p1;
		}

		/**
		 * c = Q' y, r1 = y - Q c, r0 = r1 + Q_site c_site for a chunk {@code w.y[j * len + v]};
		 * sets {@code w.finite}.
		 */
		void residuals(final Work w, final int len) {
			final double[] y = w.y, c = w.c, r1 = w.r1, r0 = w.r0;
			Arrays.fill(w.finite, 0, len, true);
			for (int j = 0; j < n; j++)
				for (int v = 0; v < len; v++)
					if (!Double.isFinite(y[j * len + v])) w.finite[v] = false;
			Arrays.fill(c, 0, p1 * len, 0);
			for (int i = 0; i < p1; i++) {
				final int co = i * len;
				for (int j = 0; j < n; j++) {
					final double h = q[j * p1 + i];
					final int yo = j * len;
					for (int v = 0; v < len; v++)
						c[co + v] += h * y[yo + v];
				}
			}
			for (int j = 0; j < n; j++) {
				final int yo = j * len;
				System.arraycopy(y, yo, r1, yo, len);
				for (int i = 0; i < p1; i++) {
					final double h = q[j * p1 + i];
					final int co = i * len;
					for (int v = 0; v < len; v++)
						r1[yo + v] -= h * c[co + v];
				}
				System.arraycopy(r1, yo, r0, yo, len);
				for (int i = p0; i < p1; i++) {
					final double h = q[j * p1 + i];
					final int co = i * len;
					for (int v = 0; v < len; v++)
						r0[yo + v] += h * c[co + v];
				}
			}
		}

		/** All statistics of a chunk at features [v0, v0 + len); returns the valid count. */
		int chunk(final Work w, final int len, final int v0, final SiteTestResult r,
			final double[] residualSum)
		{
			residuals(w, len);
			int valid = 0;
			final int df1 = k - 1, df2 = n - p1;
			for (int v = 0; v < len; v++) {
				final int f = v0 + v;
				if (!w.finite[v] || isConstant(w.y, len, v)) continue;
				double rss1 = 0, ssq = 0, mean = 0;
				for (int j = 0; j < n; j++) {
					final double e = w.r1[j * len + v];
					rss1 += e * e;
					mean += w.y[j * len + v];
				}
				mean /= n;
				for (int j = 0; j < n; j++) {
					final double dy = w.y[j * len + v] - mean;
					ssq += dy * dy;
				}
				if (!(rss1 > EXACT_FIT * ssq)) continue;
				double ssSite = 0;
				for (int i = p0; i < p1; i++) {
					final double ci = w.c[i * len + v];
					ssSite += ci * ci;
				}
				final double fSite = (ssSite / df1) / (rss1 / df2);
				r.siteF[f] = fSite;
				r.siteP[f] = Distributions.fUpper(fSite, df1, df2);
				final double lr = n * Math.log1p(ssSite / rss1);
				r.lrt[f] = lr;
				r.lrtP[f] = Distributions.chiSquaredUpper(lr, df1);
				levene(w, len, v, r, f);
				if (nInterest > 0) {
					double ssInt = 0, last = 0;
					for (int i = 0; i < nInterest; i++) {
						double ci = 0;
						for (int j = 0; j < n; j++)
							ci += qi[j * nInterest + i] * w.y[j * len + v];
						ssInt += ci * ci;
						last = ci;
					}
					final double fInt = (ssInt / nInterest) / (rss1 / df2);
					r.interestP[f] = Distributions.fUpper(fInt, nInterest, df2);
					r.interestStat[f] = nInterest == 1 ? Math.signum(last) * lastSign * Math.sqrt(fInt)
						: fInt;
				}
				for (int j = 0; j < n; j++)
					residualSum[j] += w.r0[j * len + v];
				valid++;
			}
			return valid;
		}

		private boolean isConstant(final double[] y, final int len, final int v) {
			for (int j = 1; j < n; j++)
				if (y[j * len + v] != y[v]) return false;
			return true;
		}

		/** Brown-Forsythe: one-way ANOVA of |r0 - site median of r0|. */
		private void levene(final Work w, final int len, final int v, final SiteTestResult r,
			final int f)
		{
			final double[] z = w.z, s = w.scratch;
			double grand = 0;
			final double[] siteMean = new double[k];
			for (int b = 0; b < k; b++) {
				final int[] mem = members[b];
				for (int i = 0; i < mem.length; i++)
					s[i] = w.r0[mem[i] * len + v];
				Arrays.sort(s, 0, mem.length);
				final int h = mem.length / 2;
				final double median = mem.length % 2 == 1 ? s[h] : (s[h - 1] + s[h]) / 2;
				double sum = 0;
				for (final int j : mem) {
					z[j] = Math.abs(w.r0[j * len + v] - median);
					sum += z[j];
				}
				siteMean[b] = sum / mem.length;
				grand += sum;
			}
			grand /= n;
			double ssb = 0, ssw = 0;
			for (int b = 0; b < k; b++) {
				final double dm = siteMean[b] - grand;
				ssb += members[b].length * dm * dm;
				for (final int j : members[b]) {
					final double dz = z[j] - siteMean[b];
					ssw += dz * dz;
				}
			}
			if (!(ssw > 0)) return;
			final double fl = (ssb / (k - 1)) / (ssw / (n - k));
			r.leveneF[f] = fl;
			r.leveneP[f] = Distributions.fUpper(fl, k - 1, n - k);
		}
	}
}
