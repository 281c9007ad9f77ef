// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static io.github.harmonij.cli.CliRuns.fail;
import static io.github.harmonij.cli.CliRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;

/**
 * Table models: {@code combat-table --model-out} then {@code apply-table} on the same table gives
 * the same file byte for byte (sva datasets, every method and coding, missing cells); held-out
 * subjects are harmonised as well as in a one-shot run; smooth (spline) age removes the age-by-site
 * bias that a straight line leaves when age trajectories are nonlinear and age ranges differ by
 * site; and bad input is a clear error.
 */
class SavedModelTableTest {

	private static final Path SVA = Paths.get("src/test/resources/reference/sva");

	/**
	 * The spline must cut the linear model's age-by-site bias at least this much (measured: 0.611
	 * to 0.082 noise SDs, 7 times).
	 */
	private static final double SPLINE_GAIN = 3;

	/**
	 * The model trained on two thirds of the subjects must cut the held-out subjects' site bias
	 * at least this many times (measured: 0.909 to 0.110 noise SDs, 8 times).
	 */
	private static final double HELD_OUT_REMOVAL = 5;

	/**
	 * The held-out bias may exceed the one-shot run's by at most this factor (measured 0.110
	 * against 0.086) plus {@link #HELD_OUT_SLACK_SD}: the trained model had fewer subjects.
	 */
	private static final double HELD_OUT_FACTOR = 2;

	/** Noise SDs added to the bound, so that it holds when the one-shot bias is near 0. */
	private static final double HELD_OUT_SLACK_SD = 0.05;

	@TempDir
	Path tmp;

	@Test
	void applyingTheModelToTheTrainingTableReproducesTheOneShotRunByteForByte() throws IOException {
		final String[][] runs = { //
			{ "combat-table", "dataset_unbalanced.csv", "--covariates", "age,sex,group,icv",
				"--categorical", "sex,group" }, //
			{ "combat-table", "dataset_unbalanced.csv", "--covariates", "sex,icv", "--categorical",
				"sex", "--smooth", "age", "--ref-batch", "SiteB" }, //
			{ "combat-table", "dataset_small.csv", "--covariates", "age,sex", "--categorical", "sex",
				"--eb", "nonparametric" }, //
			{ "combat-table", "dataset_meanonly1.csv", "--covariates", "age", "--mean-only" }, //
			{ "combat-table", "missing/dataset_unbalanced_na.csv", "--covariates", "age,sex",
				"--categorical", "sex" }, //
			{ "regress-table", "dataset_unbalanced.csv", "--covariates", "age,sex", "--categorical",
				"sex", "--smooth", "icv", "--smooth-df", "3" }, //
			{ "regress-table", "missing/dataset_small_na.csv", "--covariates", "age" } };
		int i = 0;
		for (final String[] r : runs) {
			final Path in = SVA.resolve(r[1]);
			final Path oneShot = tmp.resolve("oneshot" + i + ".csv"), model = tmp.resolve("model" +
				i + ".json"), applied = tmp.resolve("applied" + i + ".csv");
			final List<String> args = new ArrayList<>(List.of(r[0], "--table", in.toString(),
				"--batch", "batch", "--id", "subject", "--features", features(in), "--out", oneShot
					.toString(), "--model-out", model.toString()));
			for (int k = 2; k < r.length; k++)
				args.add(r[k]);
			run(args.toArray(new String[0]));
			run("apply-table", "--model", model.toString(), "--table", in.toString(), "--out",
				applied.toString());
			assertEquals(new String(Files.readAllBytes(oneShot), StandardCharsets.UTF_8),
				new String(Files.readAllBytes(applied), StandardCharsets.UTF_8), String.join(" ", r));
			i++;
		}
	}

	@Test
	void splineAgeRemovesTheAgeBySiteBiasThatLinearAgeLeaves() throws IOException {
		final Simulated s = simulate(tmp.resolve("quadratic.csv"), 200, 1);
		final Path linear = tmp.resolve("linear.csv"), spline = tmp.resolve("spline.csv");
		run("combat-table", "--table", s.file.toString(), "--batch", "site", "--covariates", "age",
			"--out", linear.toString());
		run("combat-table", "--table", s.file.toString(), "--batch", "site", "--smooth", "age",
			"--out", spline.toString());
		final double before = s.bias(Csv.read(s.file), null), lin = s.bias(Csv.read(linear), null),
			spl = s.bias(Csv.read(spline), null);
		assertTrue(spl * SPLINE_GAIN < lin, "age-by-site bias (RMS over features and sites of the " +
			"site mean of harmonised - truth, centred across sites, in noise SDs): before " + before +
			", linear age " + lin + ", spline age (4 df) " + spl);
	}

	@Test
	void heldOutSubjectsAreHarmonisedAsWellAsInTheOneShotRun() throws IOException {
		final Simulated s = simulate(tmp.resolve("all.csv"), 150, 2);
		final CsvTable all = Csv.read(s.file);
		final List<String[]> train = new ArrayList<>(), test = new ArrayList<>();
		for (int j = 0; j < all.nRows(); j++)
			(j / 3 % 3 == 2 ? test : train).add(all.row(j)); // a third of each site
		final Path trainCsv = tmp.resolve("train.csv"), testCsv = tmp.resolve("test.csv");
		Csv.write(trainCsv, all.header(), train);
		Csv.write(testCsv, all.header(), test);
		final Path oneShot = tmp.resolve("oneshot.csv"), model = tmp.resolve("model.json"),
			applied = tmp.resolve("applied.csv");
		run("combat-table", "--table", s.file.toString(), "--batch", "site", "--smooth", "age",
			"--out", oneShot.toString());
		run("combat-table", "--table", trainCsv.toString(), "--batch", "site", "--smooth", "age",
			"--out", tmp.resolve("train_h.csv").toString(), "--model-out", model.toString());
		final String summary = run("apply-table", "--model", model.toString(), "--table", testCsv
			.toString(), "--out", applied.toString(), "--clamp");
		// the one-shot output restricted to the held-out rows
		final CsvTable o = Csv.read(oneShot);
		final List<String[]> oRows = new ArrayList<>();
		for (int j = 0; j < o.nRows(); j++)
			if (j / 3 % 3 == 2) oRows.add(o.row(j));
		final int[] lines = new int[oRows.size()];
		for (int j = 0; j < lines.length; j++)
			lines[j] = j + 2;
		final CsvTable oneShotTest = new CsvTable("oneshot", o.header(), oRows, lines, ',');
		final CsvTable raw = Csv.read(testCsv);
		final double before = s.bias(raw, raw), one = s.bias(oneShotTest, raw), held = s.bias(Csv
			.read(applied), raw);
		final String figures = "held-out table subjects (" + test.size() + " of " + all.nRows() +
			"; spline age): residual site bias before " + before + ", one-shot " + one +
			", trained on " + train.size() + " and applied " + held + " noise SDs; " + summary;
		assertTrue(held < before / HELD_OUT_REMOVAL, figures);
		assertTrue(held < HELD_OUT_FACTOR * one + HELD_OUT_SLACK_SD, figures);
	}

	@Test
	void badInputIsAClearError() throws IOException {
		final Simulated s = simulate(tmp.resolve("t.csv"), 20, 3);
		final Path model = tmp.resolve("m.json");
		run("combat-table", "--table", s.file.toString(), "--batch", "site", "--covariates", "sex",
			"--categorical", "sex", "--smooth", "age", "--out", tmp.resolve("h.csv").toString(),
			"--model-out", model.toString());
		final CsvTable t = Csv.read(s.file);
		final String[] a = t.row(0), b = t.row(1), c = t.row(2), d = t.row(3);
		a[t.column("site")] = "S9";
		b[t.column("sex")] = "U";
		c[t.column("age")] = "95";
		d[t.column("f1")] = "NA";
		final Path bad = tmp.resolve("bad.csv");
		Csv.write(bad, t.header(), List.of(a, b, c, d));
		final String err = fail("apply-table", "--model", model.toString(), "--table", bad
			.toString(), "--out", tmp.resolve("never.csv").toString());
		assertTrue(err.contains("bad.csv row 2 (subject s0001): site \"S9\" is not one of the sites " +
			"the model was fitted with (S1, S2, S3)"), err);
		assertTrue(err.contains("row 3 (subject s0002): sex \"U\" is not one of the levels"), err);
		assertTrue(err.contains("row 4 (subject s0003): age 95 is outside the training range of " +
			"the smooth covariate"), err);
		assertFalse(err.contains("s0004"), "a missing feature cell is not an error: " + err);
		assertFalse(Files.exists(tmp.resolve("never.csv")));
		// without the age column
		final String noAge = fail("apply-table", "--model", model.toString(), "--table", SVA
			.resolve("dataset_small.csv").toString(), "--out", tmp.resolve("never.csv").toString());
		assertTrue(noAge.contains("has no column \"site\""), noAge);
		// a voxelwise command given a table model, and a version from the future
		final String json = new String(Files.readAllBytes(model), StandardCharsets.UTF_8);
		final Path future = tmp.resolve("future.json");
		Files.write(future, json.replace("\"format_version\": 2", "\"format_version\": 3")
			.getBytes(StandardCharsets.UTF_8));
		final String v = fail("apply-table", "--model", future.toString(), "--table", s.file
			.toString(), "--out", tmp.resolve("never.csv").toString());
		assertTrue(v.contains("has model format version 3; this HarmonIJ"), v);
		final String vox = fail("apply", "--model", model.toString(), "--manifest", s.file
			.toString(), "--out", tmp.resolve("never").toString());
		assertTrue(vox.contains("is a table model; use apply-table"), vox);
	}

	// -- Helper methods --

	/**
	 * A table with a quadratic age effect and site-dependent age ranges (S1 20-50, S2 35-65,
	 * S3 50-80 years): feature v of subject j at site k is
	 * {@code 10 + c_v ((age - 50) / 15)^2 + b_v (age - 50) / 15 + gamma_kv + delta_k e_jv},
	 * e ~ N(0, 1), c_v ~ U(0.8, 1.5); the truth is the same without gamma and with delta = 1.
	 */
	private static Simulated simulate(final Path file, final int perSite, final long seed) {
		final Random rng = new Random(seed);
		final int v = 20, k = 3;
		final double[] lo = { 20, 35, 50 }, shift = { -1, 0.5, 1 }, scale = { 1, 1.3, 0.8 };
		final double[] c = new double[v], b = new double[v];
		final double[][] gamma = new double[k][v];
		for (int f = 0; f < v; f++) {
			c[f] = 0.8 + 0.7 * rng.nextDouble();
			b[f] = rng.nextGaussian() * 0.3;
			for (int s = 0; s < k; s++)
				gamma[s][f] = shift[s] + 0.3 * rng.nextGaussian();
		}
		final List<String> header = new ArrayList<>(List.of("subject", "site", "age", "sex"));
		for (int f = 0; f < v; f++)
			header.add("f" + (f + 1));
		final List<String[]> rows = new ArrayList<>();
		final List<double[]> truth = new ArrayList<>();
		for (int j = 0; j < perSite * k; j++) {
			final int s = j % k;
			final double age = lo[s] + 30 * rng.nextDouble();
			final String[] row = new String[header.size()];
			row[0] = String.format(Locale.ROOT, "s%04d", j + 1);
			row[1] = "S" + (s + 1);
			row[2] = Csv.formatDouble(Math.round(age * 10) / 10.0);
			row[3] = rng.nextBoolean() ? "F" : "M";
			final double a = (Double.parseDouble(row[2]) - 50) / 15;
			final double[] t = new double[v];
			for (int f = 0; f < v; f++) {
				final double e = rng.nextGaussian();
				t[f] = 10 + c[f] * a * a + b[f] * a + e;
				row[4 + f] = Csv.formatDouble(10 + c[f] * a * a + b[f] * a + gamma[s][f] + scale[s] *
					e);
			}
			rows.add(row);
			truth.add(t);
		}
		Csv.write(file, header, rows);
		return new Simulated(file, truth);
	}

	/** A simulated table and its truth. */
	private static final class Simulated {

		final Path file;

		final List<double[]> truth;

		Simulated(final Path file, final List<double[]> truth) {
			this.file = file;
			this.truth = truth;
		}

		/**
		 * RMS over features and sites of the site mean of (value - truth), centred across sites,
		 * for the rows of {@code t} (matched to the truth by subject id).
		 */
		double bias(final CsvTable t, final CsvTable unused) {
			final int v = truth.get(0).length, k = 3;
			final double[][] sum = new double[k][v];
			final int[] n = new int[k];
			for (int j = 0; j < t.nRows(); j++) {
				final int id = Integer.parseInt(t.cell(j, t.column("subject")).substring(1)) - 1;
				final int s = Integer.parseInt(t.cell(j, t.column("site")).substring(1)) - 1;
				n[s]++;
				for (int f = 0; f < v; f++)
					sum[s][f] += Double.parseDouble(t.cell(j, t.column("f" + (f + 1)))) - truth.get(
						id)[f];
			}
			double ss = 0;
			for (int f = 0; f < v; f++) {
				double m = 0;
				for (int s = 0; s < k; s++)
					m += sum[s][f] / n[s] / k;
				for (int s = 0; s < k; s++)
					ss += Math.pow(sum[s][f] / n[s] - m, 2);
			}
			return Math.sqrt(ss / (v * k));
		}
	}

	private static String features(final Path csv) {
		final List<String> f = new ArrayList<>();
		for (final String c : Csv.read(csv).header())
			if (c.matches("f\\d+")) f.add(c);
		return String.join(",", f);
	}
}
