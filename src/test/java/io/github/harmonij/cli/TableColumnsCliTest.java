// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static io.github.harmonij.cli.CliRuns.fail;
import static io.github.harmonij.cli.CliRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;

/**
 * The table commands without {@code --features}: a participant number and the {@code --exclude}d
 * columns are written unchanged and named in the summary with every feature, the harmonised
 * numbers are those of the same features named, and a typo in a feature column is an error.
 */
class TableColumnsCliTest {

	private static final String LEFT_ALONE = "Left as they are: participant_no (a different " +
		"whole number in every row, like an identifier; name it in features to harmonise it), " +
		"visit (excluded).";

	@TempDir
	Path tmp;

	@Test
	void participantNumbersAndExcludedColumnsAreWrittenUnchanged() throws IOException {
		final Path in = visits(null);
		for (final String method : new String[] { "combat-table", "regress-table" }) {
			final Path out = tmp.resolve(method + ".csv"), named = tmp.resolve(method + "_named.csv");
			final String summary = run(method, "--table", in, "--covariates", "age", "--exclude",
				"visit", "--out", out);
			assertTrue(summary.contains("Harmonised 2 features of 30 subjects from 3 sites"), summary);
			assertTrue(summary.contains(" Features: lh_vol, rh_vol. " + LEFT_ALONE), summary);
			final CsvTable a = Csv.read(in), b = Csv.read(out);
			assertEquals(a.header(), b.header());
			for (int r = 0; r < a.nRows(); r++) {
				for (final String column : new String[] { "participant_no", "site", "age", "visit" })
					assertEquals(a.cell(r, a.column(column)), b.cell(r, b.column(column)), column);
				assertNotEquals(a.cell(r, a.column("lh_vol")), b.cell(r, b.column("lh_vol")));
			}
			// the same numbers as with the features named, as before the default changed
			run(method, "--table", in, "--covariates", "age", "--features", "lh_vol,rh_vol",
				"--out", named);
			assertEquals(Files.readString(named), Files.readString(out), method);
		}
	}

	@Test
	void siteEffectsAndSavedModelsNameTheColumnsToo() throws IOException {
		final Path in = visits(null), model = tmp.resolve("m.json");
		final String effects = run("table-effects", "--table", in, "--covariates", "age",
			"--exclude", "visit", "--out", tmp.resolve("effects"));
		assertTrue(effects.contains("Tested 2 features of 30 subjects"), effects);
		assertTrue(effects.contains(" Features: lh_vol, rh_vol. " + LEFT_ALONE), effects);
		run("regress-table", "--table", in, "--covariates", "age", "--features", "lh_vol",
			"--out", tmp.resolve("h.csv"), "--model-out", model);
		final String applied = run("apply-table", "--model", model, "--table", in, "--out", tmp
			.resolve("again.csv"));
		assertTrue(applied.contains(" Features: lh_vol. Left as they are: participant_no (not in " +
			"features), visit (not in features), rh_vol (not in features)."), applied);
		final List<String> newSite = new ArrayList<>(Files.readAllLines(in).subList(0, 11));
		for (int r = 1; r < newSite.size(); r++)
			newSite.set(r, newSite.get(r).replace(",A,", ",D,"));
		final String added = run("add-site-table", "--model", model, "--table", Files.write(tmp
			.resolve("d.csv"), newSite), "--out", tmp.resolve("d_h.csv"), "--model-out", tmp.resolve(
				"m2.json"));
		assertTrue(added.contains(" Features: lh_vol. Left as they are: participant_no (not in " +
			"features), visit (not in features), rh_vol (not in features)."), added);
	}

	@Test
	void aTypoInAFeatureColumnIsAnError() throws IOException {
		final Path in = visits("12.3x"), out = tmp.resolve("out.csv");
		final String err = fail("combat-table", "--table", in, "--covariates", "age", "--out", out);
		assertTrue(err.contains("visits.csv row 8: lh_vol \"12.3x\" is not a number, though most " +
			"of the column is. Correct the value, or keep the column as it is with --exclude " +
			"lh_vol."), err);
		assertTrue(!Files.exists(out));
		final String kept = run("regress-table", "--table", in, "--covariates", "age", "--exclude",
			"visit,lh_vol", "--out", out);
		assertTrue(kept.contains(" Features: rh_vol. Left as they are: participant_no"), kept);
		assertTrue(kept.contains("visit (excluded), lh_vol (excluded)."), kept);
		assertEquals("12.3x", Csv.read(out).cell(6, 4));
	}

	// -- Helper methods --

	/**
	 * participant_no 1000..1029, three sites with shifted volumes, age, visit 1 or 2;
	 * {@code typo}, if not null, is lh_vol of the 7th subject (file row 8).
	 */
	private Path visits(final String typo) throws IOException {
		final List<String> rows = new ArrayList<>(List.of(
			"participant_no,site,age,visit,lh_vol,rh_vol"));
		for (int j = 0; j < 30; j++) {
			final int site = j / 10;
			rows.add(String.format(Locale.ROOT, "%d,%s,%d,%d,%s,%.2f", 1000 + j, "ABC".charAt(site),
				50 + (j * 13) % 30, 1 + j % 2, j == 6 && typo != null ? typo : String.format(
					Locale.ROOT, "%.2f", 4000 + 150 * site + (j * 37) % 200 + 0.25), 4100 - 90 * site +
						(j * 53) % 170 + 0.5));
		}
		return Files.write(tmp.resolve("visits.csv"), rows);
	}
}
