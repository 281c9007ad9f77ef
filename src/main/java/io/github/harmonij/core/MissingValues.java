// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import java.util.function.BooleanSupplier;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.DecompositionSolver;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.SingularMatrixException;

/**
 * sva::ComBat's missing-value path (sva 3.46, taken when any value is NA), used when
 * {@link ComBatOptions#missingValues()} or the linear adjustment's {@code missingValues} is set.
 * Non-finite cells are missing. For each feature, on its non-missing subjects only:
 * <ul>
 * <li>B-hat by least squares on the rows of X with a value (sva {@code Beta.NA});</li>
 * <li>sigma^2 = sample variance of the residuals, denominator m - 1 and centred (sva
 * {@code rowVars(..., na.rm = TRUE)}), over the reference site's values with a reference;</li>
 * <li>the grand mean weighs the site coefficients by the full site sizes n_k / N, as sva;</li>
 * <li>gamma-hat_k and delta-hat^2_k are the mean and sample variance of the non-missing
 * standardised values of site k; m_k, their count, is the n of {@code it.sol} and
 * {@code int.eprior}.</li>
 * </ul>
 * Note that sva switches every feature to these denominators as soon as one value is missing;
 * HarmonIJ does the same when the option is set. Features that sva cannot fit (a site with fewer
 * than 2 values, or 1 in mean-only mode; a singular restricted design) are copied through as
 * {@link FeatureStatus#TOO_FEW_VALUES}. Package-private.
 */
final class MissingValues {

	private MissingValues() {}

	/**
	 * The first pass of {@link ComBat#fit} on data with missing cells: fills status, grand mean,
	 * pooled variance, B-hat, gamma-hat, sample variances and the non-missing counts.
	 */
	static void firstPass(final FeatureMatrix data, final ComBatFit f, final Progress progress,
		final BooleanSupplier canceled)
	{
		final FactoredDesign x = f.x;
		final int n = x.n, k = x.nBatches, c = x.nCov, nf = f.nFeatures;
		final int minPerSite = f.options.meanOnly() ? 1 : 2;
		VoxelBlocks.forEachBlock(nf, progress, canceled, (block, from, to) -> {
			final double[] y = new double[n];
			final double[] z = new double[n];
			final int[] m = new int[k];
			final double[] b = new double[x.p];
			for (int v = from; v < to; v++) {
				for (int j = 0; j < n; j++)
					data.get(j, v, v + 1, y, j);
				final FeatureStatus s = fitFeature(x, y, minPerSite, m, b);
				f.status[v] = (byte) s.ordinal();
				for (int q = 0; q < k; q++)
					f.nonMissing[q * nf + v] = m[q];
				if (s != FeatureStatus.HARMONISED) {
					f.grandMean[v] = f.varPooled[v] = Double.NaN;
					for (int q = 0; q < c; q++)
						f.betaHat[q * nf + v] = Double.NaN;
					for (int q = 0; q < k; q++)
						f.gammaHat[q * nf + v] = f.sampleVar[q * nf + v] = Double.NaN;
					continue;
				}
				double g = 0;
				for (int q = 0; q < k; q++)
					g += x.grandWeights[q] * b[q];
				f.grandMean[v] = g;
				for (int q = 0; q < c; q++)
					f.betaHat[q * nf + v] = b[k + q];
				// residual variance, centred, denominator m - 1
				double rs = 0, rs2 = 0;
				int rm = 0;
				final double[] r = new double[n];
				for (int j = 0; j < n; j++) {
					if (!Double.isFinite(y[j]) || x.ref >= 0 && x.batch[j] != x.ref) continue;
					double fit = 0;
					for (int q = 0; q < x.p; q++)
						fit += x.x[j * x.p + q] * b[q];
					r[rm] = y[j] - fit;
					rs += r[rm];
					rm++;
				}
				final double rMean = rs / rm;
				for (int i = 0; i < rm; i++)
					rs2 += (r[i] - rMean) * (r[i] - rMean);
				final double var = rs2 / (rm - 1);
				f.varPooled[v] = var;
				final double sd = Math.sqrt(var);
				final double[] sum = new double[k];
				for (int j = 0; j < n; j++) {
					if (!Double.isFinite(y[j])) continue;
					double sm = g;
					for (int q = 0; q < c; q++)
						sm += x.x[j * x.p + k + q] * b[k + q];
					z[j] = (y[j] - sm) / sd;
					sum[x.batch[j]] += z[j];
				}
				final double[] ss = new double[k];
				for (int q = 0; q < k; q++)
					sum[q] /= m[q];
				for (int j = 0; j < n; j++) {
					if (!Double.isFinite(y[j])) continue;
					final double d = z[j] - sum[x.batch[j]];
					ss[x.batch[j]] += d * d;
				}
				for (int q = 0; q < k; q++) {
					f.gammaHat[q * nf + v] = sum[q];
					f.sampleVar[q * nf + v] = m[q] > 1 ? ss[q] / (m[q] - 1) : 0;
				}
			}
		});
	}

	/**
	 * Screens one feature and fits it on its non-missing subjects.
	 *
	 * @param m receives the non-missing count per site
	 * @param b receives the coefficients (sites, then covariates)
	 * @return HARMONISED, or why the feature is copied through
	 */
	static FeatureStatus fitFeature(final FactoredDesign x, final double[] y,
		final int minPerSite, final int[] m, final double[] b)
	{
		final int n = x.n, k = x.nBatches, p = x.p;
		java.util.Arrays.fill(m, 0);
		double first = Double.NaN;
		boolean differs = false;
		final double[] siteFirst = new double[k];
		final boolean[] siteDiffers = new boolean[k];
		for (int j = 0; j < n; j++) {
			if (!Double.isFinite(y[j])) continue;
			final int s = x.batch[j];
			if (m[s] == 0) siteFirst[s] = y[j];
			else siteDiffers[s] |= y[j] != siteFirst[s];
			if (Double.isNaN(first)) first = y[j];
			else differs |= y[j] != first;
			m[s]++;
		}
		int total = 0;
		for (int s = 0; s < k; s++) {
			total += m[s];
			if (m[s] < minPerSite) return FeatureStatus.TOO_FEW_VALUES;
		}
		if (!differs) return FeatureStatus.CONSTANT;
		for (int s = 0; s < k; s++)
			if (m[s] >= 2 && !siteDiffers[s]) return FeatureStatus.CONSTANT_IN_SITE;
		final double[][] a = new double[total][p];
		final double[] rhs = new double[total];
		for (int j = 0, i = 0; j < n; j++) {
			if (!Double.isFinite(y[j])) continue;
			System.arraycopy(x.x, j * p, a[i], 0, p);
			rhs[i++] = y[j];
		}
		final DecompositionSolver solver = new QRDecomposition(new Array2DRowRealMatrix(a, false),
			FactoredDesign.RANK_TOL).getSolver();
		if (total < p || !solver.isNonSingular()) return FeatureStatus.TOO_FEW_VALUES;
		try {
			final double[] sol = solver.solve(new ArrayRealVector(rhs, false)).toArray();
			System.arraycopy(sol, 0, b, 0, p);
		}
		catch (final SingularMatrixException e) {
			return FeatureStatus.TOO_FEW_VALUES;
		}
		return FeatureStatus.HARMONISED;
	}
}
