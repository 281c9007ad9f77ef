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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;
import io.github.harmonij.model.SavedModel;

/**
 * {@code harmonij add-site-table}, adding a site to a saved table model (neuroHarmonize's
 * {@code orig_model}): the old sites' outputs are bit for bit those of the old model, a 4th site's
 * effect is removed, and bad input names the site and rows. (The new site's parameters against a
 * direct computation: {@code core.SiteAdditionTest}.)
 */
class AddSiteTableCliTest {

	/** The new site's residual effect must drop at least this much (measured: 2.41 to 0.19). */
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
			assertTrue(after * GAIN < before, method + ", added 4th site: RMS over features of (S4 " +
				"mean - S1..S3 mean) in noise SDs, before " + before + ", after " + after);
			final SavedModel old = SavedModel.read(m), ext = SavedModel.read(m2);
			assertEquals(List.of("S1", "S2", "S3", "S4"), List.of(ext.model().batchLevels()));
			for (int v = 0; v < old.model().nFeatures(); v++)
				for (int b = 0; b < 3; b++)
					assertEquals(old.model().gamma(b, v), ext.model().gamma(b, v), 0.0, "gamma " + b);
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
}
