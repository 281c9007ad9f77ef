// SPDX-License-Identifier: MIT
// Writes the fitted parameters of ComBat (one-pass and two-pass first pass, reference site,
// mean-only, missing values) and of the linear site adjustment (with and without a reference and
// missing values) on a fixed synthetic cohort with constant, constant-in-site and non-finite
// features, as raw doubles: see scripts/compare-fits.sh.
package io.github.harmonij.core;

import java.io.*;
import java.util.SplittableRandom;

public class FitDump {
	public static void main(String[] a) throws Exception {
		final int n = 40, nf = 3000;
		final SplittableRandom r = new SplittableRandom(5);
		final int[] batch = new int[n];
		final double[][] cov = new double[n][2];
		final String[] ids = new String[n];
		for (int j = 0; j < n; j++) { batch[j] = j % 3; cov[j][0] = 20 + r.nextDouble() * 60; cov[j][1] = r.nextInt(2); ids[j] = "s" + j; }
		final Design d = new Design(new String[] { "A", "B", "C" }, batch, new String[] { "age", "sex" }, cov, ids);
		final double[][] y = new double[n][nf];
		for (int j = 0; j < n; j++) for (int v = 0; v < nf; v++) {
			y[j][v] = 1000 + v + 0.3 * cov[j][0] + batch[j] * 5 + (1 + batch[j]) * r.nextDouble() * 10;
			if (v % 97 == 0) y[j][v] = 7; // constant
			if (v % 89 == 0 && batch[j] == 1) y[j][v] = 3; // constant in site
			if (v % 83 == 0 && j == 5) y[j][v] = Double.NaN;
		}
		try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(a[0])))) {
			for (ComBatOptions o : new ComBatOptions[] { ComBatOptions.defaults(), ComBatOptions.defaults().withRefBatch("B"), ComBatOptions.defaults().withMeanOnly(true), ComBatOptions.defaults().withMissingValues(true) })
				for (boolean one : new boolean[] { true, false }) {
					if (o.missingValues() && !one) continue;
					ComBatFit f = ComBat.fit(new FeatureMatrix.DoubleRows(copy(y)), d, o, (x, t) -> {}, () -> false, one);
					for (double[] arr : new double[][] { f.grandMean, f.varPooled, f.betaHat, f.gammaHat, f.sampleVar, f.gammaStar, f.deltaStar })
						for (double v : arr) out.writeDouble(v);
					out.write(f.status);
				}
			for (String ref : new String[] { null, "C" })
				for (boolean miss : new boolean[] { false, true }) {
					SiteRegressionFit f = SiteRegression.fit(new FeatureMatrix.DoubleRows(copy(y)), d, ref, miss, (x, t) -> {}, () -> false);
					for (double[] arr : new double[][] { f.alpha, f.gamma, f.betaHat })
						for (double v : arr) out.writeDouble(v);
					out.write(f.status);
				}
		}
	}
	static double[][] copy(double[][] y) { double[][] c = new double[y.length][]; for (int j = 0; j < y.length; j++) c[j] = y[j].clone(); return c; }
}
