// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.core.InputException;

/**
 * Which columns of a table are features by default, and that every other one is named: an
 * identifier-like column and excluded columns are left as they are, a typo in a column of numbers
 * is an error.
 */
class FeatureColumnsTest {

	private static final String ID_REASON = "a different whole number in every row, like an " +
		"identifier; name it in features to harmonise it";

	private static final TableSpec SPEC = TableSpec.batch("site").covariates("age");

	@TempDir
	Path dir;

	@Test
	void participantNumbersAreLeftAloneAndNamed() throws IOException {
		final FeatureTable t = FeatureTable.read(visits(null), SPEC);
		assertEquals(List.of("visit", "lh_vol", "rh_vol"), t.featureNames());
		assertEquals("participant_no (" + ID_REASON + ")", FeatureTable.describe(t.leftAlone()));
	}

	@Test
	void excludedColumnsAreLeftAloneAndNamed() throws IOException {
		final FeatureTable t = FeatureTable.read(visits(null), SPEC.exclude(List.of("visit")));
		assertEquals(List.of("lh_vol", "rh_vol"), t.featureNames());
		assertEquals("participant_no (" + ID_REASON + "), visit (excluded)", FeatureTable.describe(
			t.leftAlone()));
	}

	@Test
	void namedFeaturesAreUsedWhateverTheyHoldAndTheOthersNamed() throws IOException {
		final FeatureTable t = FeatureTable.read(visits(null), SPEC.features("participant_no",
			"lh_vol"));
		assertEquals(List.of("participant_no", "lh_vol"), t.featureNames());
		assertEquals(1000, t.values()[0][0]);
		assertEquals(Map.of("visit", "not in features", "rh_vol", "not in features"), t
			.leftAlone());
		assertEquals(List.of("visit", "rh_vol"), List.copyOf(t.leftAlone().keySet()), "file order");
	}

	@Test
	void wholeNumberMeasuresAreFeatures() throws IOException {
		// distinct whole numbers, but in no order and under a measure's name: surface areas
		final List<String> rows = new ArrayList<>(List.of("site,lh_area,code,record_no,row_id"));
		for (int j = 0; j < 12; j++)
			rows.add((j < 6 ? "A" : "B") + "," + (2000 + (j * 7919) % 101) + "," + (500 - j) + "," +
				(3000 + (j * 37) % 13) + "," + (10 + j) + ".0");
		final FeatureTable t = FeatureTable.read(table("areas.csv", rows), TableSpec.batch(
			"site"));
		assertEquals(List.of("lh_area", "row_id"), t.featureNames(), "1.0, 2.0 are measures");
		assertEquals(List.of("code", "record_no"), List.copyOf(t.leftAlone().keySet()),
			"falling numbers; an identifier's name");
		assertEquals(ID_REASON, t.leftAlone().get("record_no"));
	}

	@Test
	void textAndUnnamedColumnsAreNamedButNotATrailingDelimiter() throws IOException {
		final FeatureTable t = FeatureTable.read(table("t.csv", "site,v,notes,,",
			"A,1.5,ok,x,", "A,2.5,3,y,", "B,3.5,redo,,", "B,4.5,,z,"), TableSpec.batch("site"));
		assertEquals(List.of("v"), t.featureNames());
		assertEquals("notes (text), column D (no name)", FeatureTable.describe(t.leftAlone()),
			"a text column with one number is text");
	}

	@Test
	void aTypoInAColumnOfNumbersNamesTheRowAndColumn() throws IOException {
		final Path in = visits("12.3x");
		final String msg = assertThrows(InputException.class, () -> FeatureTable.read(in, SPEC))
			.getMessage();
		assertTrue(msg.contains("visits.csv row 8: lh_vol \"12.3x\" is not a number, though most " +
			"of the column is. Correct the value, or keep the column as it is with exclude=lh_vol."),
			msg);
		assertTrue(!msg.contains("no numeric feature columns"), msg);
		assertEquals("excluded", FeatureTable.read(in, SPEC.exclude(List.of("lh_vol"))).leftAlone()
			.get("lh_vol"));
		assertEquals(List.of("rh_vol"), FeatureTable.read(in, SPEC.features("rh_vol"))
			.featureNames());
		final String comma = assertThrows(InputException.class, () -> FeatureTable.read(table(
			"eu.csv", "site;v;w", "A;1,5;1", "A;2,5;2", "B;3,5;3", "B;4,5;4"), TableSpec.batch(
				"site"))).getMessage();
		assertTrue(comma.contains("eu.csv row 2: v \"1,5\" is not a number (use a decimal point, " +
			"not a comma), though most of the column is."), comma);
	}

	@Test
	void excludedColumnsMustExistAndNotBeFeatures() throws IOException {
		final Path in = visits(null);
		final String msg = assertThrows(InputException.class, () -> FeatureTable.read(in, SPEC
			.features("lh_vol", "rh_vol").exclude(List.of("vist", "rh_vol")))).getMessage();
		assertTrue(msg.contains("visits.csv has no column \"vist\" (excluded column); did you " +
			"mean \"visit\"?"), msg);
		assertTrue(msg.contains("visits.csv: rh_vol is both a feature and excluded. Remove it " +
			"from features or from exclude."), msg);
		final String none = assertThrows(InputException.class, () -> FeatureTable.read(in, SPEC
			.exclude(List.of("visit", "lh_vol", "rh_vol")))).getMessage();
		assertTrue(none.contains("visits.csv has no numeric feature columns besides the id, batch " +
			"and covariates (left as they are: participant_no (" + ID_REASON + "), visit " +
			"(excluded), lh_vol (excluded), rh_vol (excluded))."), none);
	}

	// -- Helper methods --

	/**
	 * participant_no 1000..1029, three sites, age, visit 1 or 2, two volumes; {@code typo}, if
	 * not null, is lh_vol of the 7th subject (file row 8).
	 */
	private Path visits(final String typo) throws IOException {
		final List<String> rows = new ArrayList<>(List.of(
			"participant_no,site,age,visit,lh_vol,rh_vol"));
		for (int j = 0; j < 30; j++)
			rows.add(String.format(Locale.ROOT, "%d,%s,%d,%d,%s,%.2f", 1000 + j, "ABC".charAt(j /
				10), 50 + (j * 13) % 30, 1 + j % 2, j == 6 && typo != null ? typo : String.format(
					Locale.ROOT, "%.2f", 4000 + (j * 37) % 200 + 0.25), 4100 + (j * 53) % 170 + 0.5));
		return table("visits.csv", rows);
	}

	private Path table(final String name, final String... rows) throws IOException {
		return table(name, List.of(rows));
	}

	private Path table(final String name, final List<String> rows) throws IOException {
		return Files.write(dir.resolve(name), rows);
	}
}
