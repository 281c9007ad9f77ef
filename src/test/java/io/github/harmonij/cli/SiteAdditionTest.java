// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.core.Design;
import io.github.harmonij.core.EmpiricalBayes;
import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.HarmonisationModel;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.SiteAddition;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;
import io.github.harmonij.model.SavedModel;

/**
 * Adding a site to a saved model (neuroHarmonize's {@code orig_model}): the old sites' outputs
 * are bit for bit those of the old model, a 4th site's effect is removed, the new site's
 * parameters are those of a direct computation, and bad input names the site and rows.
 */
class SiteAdditionTest {

	/** Double algebra: the same formulas summed in another order. */
	private static final double ALGEBRA_TOL = 1e-12;

	/** The new site's residual effect must drop at least this much. */
	private static final double GAIN = 5;

	@TempDir
	Path tmp;

	@Test
	void oldSitesAreUnchangedAndTheNewSiteEffectIsRemoved() throws IOException {
		final Path train = tmp.resolve("train.csv"), added = tmp.resolve("s4.csv");
		simulate(train, added, 1);
		for (final String method : new String[] { "combat-table", "regress-table" }) {
			final Path m = tmp.resolve(method + ".json"), h = tmp.resolve(method + "_h.csv"), m2 = tmp
				.resolve(method + "2.json"), h4 = tmp.resolve(method + "_s4.csv"), again = tmp.resolve(
					method + "_again.csv");
			run(method, "--table", train.toString(), "--batch", "site", "--covariates", "age,sex",
				"--categorical", "sex", "--out", h.toString(), "--model-out", m.toString());
			final String summary = run("add-site-table", "--model", m.toString(), "--table", added
				.toString(), "--out", h4.toString(), "--model-out", m2.toString());
			assertTrue(summary.contains("Added site \"S4\" (30 subjects"), summary);
			run("apply-table", "--model", m2.toString(), "--table", train.toString(), "--out", again
				.toString());
			assertEquals(new String(Files.readAllBytes(h), StandardCharsets.UTF_8), new String(Files
				.readAllBytes(again), StandardCharsets.UTF_8), method + ": old subjects through the " +
					"extended model");
			// the extended model applied to the new site's rows gives the add-site output
			final Path h4again = tmp.resolve(method + "_s4_again.csv");
			run("apply-table", "--model", m2.toString(), "--table", added.toString(), "--out",
				h4again.toString());
			assertEquals(new String(Files.readAllBytes(h4), StandardCharsets.UTF_8), new String(Files
				.readAllBytes(h4again), StandardCharsets.UTF_8), method);
			final double before = siteEffect(Csv.read(train), Csv.read(added)), after = siteEffect(Csv
				.read(h), Csv.read(h4));
			System.out.printf(Locale.ROOT, "Added 4th site (%s): RMS over features of (S4 mean - " +
				"S1..S3 mean) in noise SDs, before %.3f, after %.3f%n", method, before, after);
			assertTrue(after * GAIN < before, method + ": " + before + " -> " + after);
			final SavedModel old = SavedModel.read(m), ext = SavedModel.read(m2);
			assertEquals(List.of("S1", "S2", "S3", "S4"), List.of(ext.model().batchLevels()));
			for (int v = 0; v < old.model().nFeatures(); v++)
				for (int b = 0; b < 3; b++)
					assertEquals(old.model().gamma(b, v), ext.model().gamma(b, v), 0.0, "gamma " + b);
		}
	}

	@Test
	void theNewSitesParametersAreTheDirectComputation() {
		// 2 features, covariate age, 2 old sites; the new site has 3 subjects
		final double[] alpha = { 10, -2 }, var = { 4, 0.25 }, beta = { 0.5, -0.1 };
		final HarmonisationModel model = new HarmonisationModel(HarmonisationModel.Kind.COMBAT,
			new String[] { "A", "B" }, -1, new String[] { "age" }, new byte[2], alpha, var, beta,
			new double[] { 0.3, -0.2, -0.3, 0.2 }, new double[] { 1.1, 0.9, 0.8, 1.2 });
		final double[] age = { 1, 2, 4 };
		final double[][] y = { { 12, -1.5 }, { 13.5, -2.0 }, { 11, -2.6 } };
		final Design d = new Design(new String[] { "C" }, new int[3], new String[] { "age" },
			new double[][] { { 1 }, { 2 }, { 4 } }, new String[] { "c1", "c2", "c3" });
		final SiteAddition.Result none = SiteAddition.add(model, d, new FeatureMatrix.DoubleRows(y),
			EmpiricalBayes.NONE, false, Progress.NONE, () -> false);
		final double[] gh = new double[2], dh = new double[2];
		for (int v = 0; v < 2; v++) {
			final double[] z = new double[3];
			for (int j = 0; j < 3; j++)
				z[j] = (y[j][v] - alpha[v] - age[j] * beta[v]) / Math.sqrt(var[v]);
			gh[v] = (z[0] + z[1] + z[2]) / 3;
			dh[v] = ((z[0] - gh[v]) * (z[0] - gh[v]) + (z[1] - gh[v]) * (z[1] - gh[v]) + (z[2] -
				gh[v]) * (z[2] - gh[v])) / 2;
			assertEquals(gh[v], none.model().gamma(2, v), ALGEBRA_TOL, "gamma-hat " + v);
			assertEquals(dh[v], none.model().delta(2, v), ALGEBRA_TOL, "delta-hat^2 " + v);
		}
		// parametric: priors over the 2 features and it.sol written out directly
		final double gb = (gh[0] + gh[1]) / 2, t2 = (gh[0] - gb) * (gh[0] - gb) + (gh[1] - gb) *
			(gh[1] - gb);
		final double m = (dh[0] + dh[1]) / 2, s2 = (dh[0] - m) * (dh[0] - m) + (dh[1] - m) * (dh[1] -
			m);
		final double a = (2 * s2 + m * m) / s2, b = (m * s2 + m * m * m) / s2;
		final double[] g = gh.clone(), dd = dh.clone();
		double change;
		int sweeps = 0;
		do {
			change = 0;
			for (int v = 0; v < 2; v++) {
				final double gNew = (3 * t2 * gh[v] + dd[v] * gb) / (3 * t2 + dd[v]);
				double sum2 = 0;
				for (int j = 0; j < 3; j++) {
					final double z = (y[j][v] - alpha[v] - age[j] * beta[v]) / Math.sqrt(var[v]);
					sum2 += (z - gNew) * (z - gNew);
				}
				final double dNew = (sum2 / 2 + b) / (3 / 2.0 + a - 1);
				change = Math.max(change, Math.max(Math.abs(gNew - g[v]) / g[v], Math.abs(dNew - dd[v]) /
					dd[v]));
				g[v] = gNew;
				dd[v] = dNew;
			}
			sweeps++;
		}
		while (change > 1e-4);
		final SiteAddition.Result par = SiteAddition.add(model, d, new FeatureMatrix.DoubleRows(y),
			EmpiricalBayes.PARAMETRIC, false, Progress.NONE, () -> false);
		assertEquals(sweeps, par.iterations());
		assertEquals(a, par.aPrior(), 1e-9 * Math.abs(a));
		for (int v = 0; v < 2; v++) {
			assertEquals(g[v], par.model().gamma(2, v), ALGEBRA_TOL, "gamma* " + v);
			assertEquals(dd[v], par.model().delta(2, v), ALGEBRA_TOL, "delta* " + v);
			for (int k = 0; k < 2; k++) {
				assertEquals(model.gamma(k, v), par.model().gamma(k, v), 0.0);
				assertEquals(model.delta(k, v), par.model().delta(k, v), 0.0);
			}
		}
		// linear adjustment: the site level is mean(y - X beta)
		final HarmonisationModel lin = new HarmonisationModel(HarmonisationModel.Kind
			.SITE_REGRESSION, new String[] { "A", "B" }, -1, new String[] { "age" }, new byte[2],
			alpha, null, beta, new double[] { 9, -1, 11, -3 }, null);
		final SiteAddition.Result l = SiteAddition.add(lin, d, new FeatureMatrix.DoubleRows(y),
			EmpiricalBayes.PARAMETRIC, false, Progress.NONE, () -> false);
		for (int v = 0; v < 2; v++) {
			double s = 0;
			for (int j = 0; j < 3; j++)
				s += y[j][v] - age[j] * beta[v];
			assertEquals(s / 3, l.model().gamma(2, v), ALGEBRA_TOL, "site level " + v);
		}
		// a constant feature is left out: gamma* 0, delta* 1
		final double[][] yc = { { 12, -1.5 }, { 12, -2.0 }, { 12, -2.6 } };
		final SiteAddition.Result c = SiteAddition.add(model, d, new FeatureMatrix.DoubleRows(yc),
			EmpiricalBayes.NONE, false, Progress.NONE, () -> false);
		assertEquals(0.0, c.model().gamma(2, 0), 0.0);
		assertEquals(1.0, c.model().delta(2, 0), 0.0);
		assertEquals(1, c.leftOut());
		// one subject is too few for ComBat's variance; a known site is refused
		final Design one = new Design(new String[] { "C" }, new int[1], new String[] { "age" },
			new double[][] { { 1 } }, new String[] { "c1" });
		final InputException e = assertThrows(InputException.class, () -> SiteAddition.add(model,
			one, new FeatureMatrix.DoubleRows(new double[][] { y[0] }), EmpiricalBayes.NONE, false,
			Progress.NONE, () -> false));
		assertTrue(e.getMessage().contains("Site \"C\" has 1 subject (c1)"), e.getMessage());
		final Design known = new Design(new String[] { "B" }, new int[3], new String[] { "age" },
			new double[][] { { 1 }, { 2 }, { 4 } }, new String[] { "c1", "c2", "c3" });
		final InputException k = assertThrows(InputException.class, () -> SiteAddition.add(model,
			known, new FeatureMatrix.DoubleRows(y), EmpiricalBayes.NONE, false, Progress.NONE,
			() -> false));
		assertTrue(k.getMessage().contains("Site \"B\" is already in the model"), k.getMessage());
	}

	/**
	 * Non-parametric empirical Bayes for the new site: sva's {@code int.eprior} written out
	 * directly (leave-one-out weights over the site's other features, each the product over its
	 * subjects of normal densities at gamma-hat_j with variance delta-hat^2_j).
	 */
	@Test
	void theNewSitesNonParametricPriorsAreTheDirectComputation() {
		final int nf = 6;
		final double[] alpha = new double[nf], var = new double[nf], beta = new double[nf];
		final double[] gamma = new double[2 * nf], delta = new double[2 * nf];
		final Random rng = new Random(5);
		for (int v = 0; v < nf; v++) {
			alpha[v] = 10 * rng.nextDouble();
			var[v] = 0.5 + rng.nextDouble();
			beta[v] = 0.2 * rng.nextGaussian();
			for (int k = 0; k < 2; k++) {
				gamma[k * nf + v] = 0.3 * rng.nextGaussian();
				delta[k * nf + v] = 0.8 + 0.4 * rng.nextDouble();
			}
		}
		final HarmonisationModel model = new HarmonisationModel(HarmonisationModel.Kind.COMBAT,
			new String[] { "A", "B" }, -1, new String[] { "age" }, new byte[nf], alpha, var, beta,
			gamma, delta);
		final int n = 5;
		final double[] age = new double[n];
		final double[][] y = new double[n][nf], cov = new double[n][1];
		final String[] ids = new String[n];
		for (int j = 0; j < n; j++) {
			age[j] = cov[j][0] = 20 + 50 * rng.nextDouble();
			ids[j] = "c" + j;
			for (int v = 0; v < nf; v++)
				y[j][v] = alpha[v] + age[j] * beta[v] + 0.4 + 1.3 * Math.sqrt(var[v]) * rng
					.nextGaussian();
		}
		final Design d = new Design(new String[] { "C" }, new int[n], new String[] { "age" }, cov,
			ids);
		final double[][] z = new double[nf][n];
		final double[] gh = new double[nf], dh = new double[nf];
		for (int v = 0; v < nf; v++) {
			for (int j = 0; j < n; j++) {
				z[v][j] = (y[j][v] - alpha[v] - age[j] * beta[v]) / Math.sqrt(var[v]);
				gh[v] += z[v][j] / n;
			}
			for (int j = 0; j < n; j++)
				dh[v] += (z[v][j] - gh[v]) * (z[v][j] - gh[v]) / (n - 1);
		}
		final SiteAddition.Result np = SiteAddition.add(model, d, new FeatureMatrix.DoubleRows(y),
			EmpiricalBayes.NONPARAMETRIC, false, Progress.NONE, () -> false);
		for (int i = 0; i < nf; i++) {
			double sl = 0, sg = 0, sd = 0;
			for (int jf = 0; jf < nf; jf++) {
				if (jf == i) continue;
				double sum2 = 0;
				for (int s = 0; s < n; s++)
					sum2 += (z[i][s] - gh[jf]) * (z[i][s] - gh[jf]);
				final double lh = Math.pow(2 * Math.PI * dh[jf], -n / 2.0) * Math.exp(-sum2 / (2 *
					dh[jf]));
				sl += lh;
				sg += gh[jf] * lh;
				sd += dh[jf] * lh;
			}
			assertEquals(sg / sl, np.model().gamma(2, i), 1e-10, "gamma* " + i);
			assertEquals(sd / sl, np.model().delta(2, i), 1e-10 * sd / sl, "delta* " + i);
			for (int k = 0; k < 2; k++) {
				assertEquals(model.gamma(k, i), np.model().gamma(k, i), 0.0);
				assertEquals(model.delta(k, i), np.model().delta(k, i), 0.0);
			}
		}
	}

	@Test
	void badInputNamesTheSiteAndRows() throws IOException {
		final Path train = tmp.resolve("train.csv"), added = tmp.resolve("s4.csv");
		simulate(train, added, 2);
		final Path m = tmp.resolve("m.json");
		run("combat-table", "--table", train.toString(), "--batch", "site", "--covariates",
			"age,sex", "--categorical", "sex", "--out", tmp.resolve("h.csv").toString(),
			"--model-out", m.toString());
		final CsvTable t = Csv.read(added);
		final List<String[]> rows = new ArrayList<>();
		for (int j = 0; j < t.nRows(); j++)
			rows.add(t.row(j).clone());
		rows.get(0)[t.column("site")] = "S2";
		rows.get(1)[t.column("site")] = "S5";
		rows.get(2)[t.column("sex")] = "U";
		final Path bad = tmp.resolve("bad.csv");
		Csv.write(bad, t.header(), rows);
		final String err = fail("add-site-table", "--model", m.toString(), "--table", bad.toString(),
			"--out", tmp.resolve("never.csv").toString(), "--model-out", tmp.resolve("never.json")
				.toString());
		assertTrue(err.contains("bad.csv row 2 (subject s4000): site \"S2\" is already in the " +
			"model (S1, S2, S3); harmonise its subjects with apply"), err);
		assertTrue(err.contains("2 new sites: \"S5\" (bad.csv row 3 (subject s4001)), \"S4\""), err);
		assertTrue(err.contains("row 4 (subject s4002): sex \"U\" is not one of the levels"), err);
		assertFalse(Files.exists(tmp.resolve("never.csv")) || Files.exists(tmp.resolve(
			"never.json")));
		final Path single = tmp.resolve("single.csv");
		Csv.write(single, t.header(), java.util.Collections.singletonList(t.row(0)));
		final String one = fail("add-site-table", "--model", m.toString(), "--table", single
			.toString(), "--out", tmp.resolve("never.csv").toString(), "--model-out", tmp.resolve(
				"never.json").toString());
		assertTrue(one.contains("Site \"S4\" has 1 subject (s4000)"), one);
		// the extended model cannot be written: the harmonised table is taken back too
		final Path out = tmp.resolve("s4_h.csv");
		final String noFolder = fail("add-site-table", "--model", m.toString(), "--table", added
			.toString(), "--out", out.toString(), "--model-out", tmp.resolve("missing/m2.json")
				.toString());
		assertTrue(noFolder.contains("missing"), noFolder);
		assertFalse(Files.exists(out), "no table without its model");
	}

	// -- Helper methods --

	/**
	 * Three training sites and a fourth to add, 30 subjects each, 25 features: a linear age and
	 * sex effect plus a site shift and scale.
	 */
	private static void simulate(final Path train, final Path added, final long seed) {
		final Random rng = new Random(seed);
		final int v = 25;
		final List<String> header = new ArrayList<>(List.of("subject", "site", "age", "sex"));
		for (int f = 0; f < v; f++)
			header.add("f" + (f + 1));
		final double[] shift = { 0, 1.0, -0.8, 2.0 }, scale = { 1, 1.5, 0.7, 2.0 };
		final List<String[]> a = new ArrayList<>(), b = new ArrayList<>();
		for (int s = 0; s < 4; s++)
			for (int j = 0; j < 30; j++) {
				final String[] row = new String[4 + v];
				row[0] = "s" + (s + 1) + String.format(Locale.ROOT, "%03d", j);
				row[1] = "S" + (s + 1);
				final double age = 20 + 60 * rng.nextDouble();
				row[2] = Csv.formatDouble(Math.round(age * 10) / 10.0);
				row[3] = rng.nextBoolean() ? "F" : "M";
				for (int f = 0; f < v; f++)
					row[4 + f] = Csv.formatDouble(10 + 0.05 * age * (f % 3) + ("M".equals(row[3]) ? 0.5
						: 0) + shift[s] * (1 + 0.1 * (f % 5)) + scale[s] * rng.nextGaussian());
				(s < 3 ? a : b).add(row);
			}
		Csv.write(train, header, a);
		Csv.write(added, header, b);
	}

	/** RMS over features of (mean of the new site's rows - mean of the training rows). */
	private static double siteEffect(final CsvTable train, final CsvTable added) {
		double ss = 0;
		int nf = 0;
		for (final String c : train.header()) {
			if (!c.matches("f\\d+")) continue;
			final double d = mean(added, c) - mean(train, c);
			ss += d * d;
			nf++;
		}
		return Math.sqrt(ss / nf);
	}

	private static double mean(final CsvTable t, final String column) {
		double s = 0;
		for (int j = 0; j < t.nRows(); j++)
			s += Double.parseDouble(t.cell(j, t.column(column)));
		return s / t.nRows();
	}

	private static String run(final String... args) {
		final ByteArrayOutputStream out = new ByteArrayOutputStream(), err =
			new ByteArrayOutputStream();
		final int status = new Harmonij(new PrintStream(out), new PrintStream(err)).execute(args);
		assertEquals(0, status, String.join(" ", args) + "\n" + err.toString(
			StandardCharsets.UTF_8));
		return out.toString(StandardCharsets.UTF_8);
	}

	private static String fail(final String... args) {
		final ByteArrayOutputStream out = new ByteArrayOutputStream(), err =
			new ByteArrayOutputStream();
		final int status = new Harmonij(new PrintStream(out), new PrintStream(err)).execute(args);
		assertEquals(Harmonij.BAD_INPUT, status, out.toString(StandardCharsets.UTF_8));
		return err.toString(StandardCharsets.UTF_8);
	}
}
