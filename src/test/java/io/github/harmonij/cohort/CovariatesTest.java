// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.github.harmonij.core.InputException;
import io.github.harmonij.cohort.CovariateCoding.Kind;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;

class CovariatesTest {

	private static final String[] IDS = { "s1", "s2", "s3", "s4", "s5", "s6" };

	@Test
	void treatmentCodingMatchesHandComputedDummies() {
		final CsvTable t = Csv.parse("age,sex,group\n" + "60,F,ctl\n" + "70.5,M,AD\n" +
			"65, M ,MCI\n" + "80,F,ctl\n" + "55,M,AD\n" + "61,F,MCI\n", "cohort.csv");
		final Covariates.Coded c = Covariates.code(t, List.of("age", "sex", "group"), List.of(
			"sex", "group"), IDS);
		// String order puts upper case first: AD < MCI < ctl, so AD is the reference
		assertEquals(List.of("age", "sex[M]", "group[MCI]", "group[ctl]"), c.coding()
			.codedNames());
		assertEquals(List.of("F", "M"), c.coding().levels(1));
		assertEquals("AD", c.coding().reference(2));
		final double[][] expected = { //
			{ 60, 0, 0, 1 }, //
			{ 70.5, 1, 0, 0 }, //
			{ 65, 1, 1, 0 }, //
			{ 80, 0, 0, 1 }, //
			{ 55, 1, 0, 0 }, //
			{ 61, 0, 1, 0 } };
		assertArrayEquals(expected, c.values());
		assertEquals(List.of(Kind.CONTINUOUS, Kind.CATEGORICAL, Kind.CATEGORICAL), c.coding()
			.kinds());
	}

	@Test
	void numericLevelsSortNumerically() {
		final CsvTable t = Csv.parse("scanner\n10\n2\n1\n10\n2\n1\n", "t.csv");
		final Covariates.Coded c = Covariates.code(t, List.of("scanner"), List.of("scanner"),
			null);
		assertEquals(List.of("1", "2", "10"), c.coding().levels(0));
		assertEquals(List.of("scanner[2]", "scanner[10]"), c.coding().codedNames());
		assertArrayEquals(new double[] { 1, 0 }, c.values()[1]);
		assertArrayEquals(new double[] { 0, 1 }, c.values()[0], "10 is the last level");
		assertArrayEquals(new double[] { 0, 0 }, c.values()[2], "1 is the reference");
		assertEquals(List.of("1", "10", "2"), Covariates.sortLevels(List.of("2", "10", "1", "x"))
			.subList(0, 3), "one text level makes the order textual");
	}

	@Test
	void codingNewSubjectsUsesTheSavedLevels() {
		final CovariateCoding coding = new CovariateCoding(List.of("age", "sex"), List.of(
			Kind.CONTINUOUS, Kind.CATEGORICAL), List.of(List.of(), List.of("F", "M")));
		assertArrayEquals(new double[] { 42, 1 }, coding.code(new String[] { " 42 ", "M" }));
		assertArrayEquals(new double[] { 42, 0 }, coding.code(new String[] { "42", "F" }));
		final InputException e = assertThrows(InputException.class, () -> coding.code(
			new String[] { "NA", "X" }, "new.csv row 3 (subject sub-9)"));
		assertTrue(e.getMessage().contains("new.csv row 3 (subject sub-9): age \"NA\" is not a " +
			"number"), e.getMessage());
		assertTrue(e.getMessage().contains("sex \"X\" is not one of the levels the model was " +
			"fitted with (F, M)"), e.getMessage());
	}

	@Test
	void notANumberNamesFileRowSubjectAndColumn() {
		final StringBuilder sb = new StringBuilder("subject,age\n");
		for (int i = 1; i <= 12; i++)
			sb.append(String.format("sub-%03d,%d\n", i, 50 + i));
		sb.append("sub-017,NA\n");
		final CsvTable t = Csv.parse(sb.toString(), "cohort.csv");
		final String[] ids = new String[t.nRows()];
		for (int r = 0; r < ids.length; r++)
			ids[r] = t.cell(r, 0);
		final InputException e = assertThrows(InputException.class, () -> Covariates.code(t,
			List.of("age"), List.of(), ids));
		assertEquals("cohort.csv row 14 (subject sub-017): age \"NA\" is not a number. " +
			"Enter the age or remove the row.", e.getMessage());
	}

	@Test
	void badCovariateValuesAreAllReported() {
		final CsvTable t = Csv.parse("age,icv,sex,group\n" + "60,,F,a\n" + "inf,1.5,M,a\n" +
			"NaN,1.5,,b\n" + "1,5,1.5,M,b\n".replaceFirst("1,5", "\"1,5\"") + "62,1.5,F,c\n" +
			"63,1.5,M,b\n", "cohort.csv");
		final InputException e = assertThrows(InputException.class, () -> Covariates.code(t,
			List.of("age", "icv", "sex", "group"), List.of("sex", "group"), IDS));
		final String m = e.getMessage();
		assertTrue(m.contains("cohort.csv row 2 (subject s1): icv is empty"), m);
		assertTrue(m.contains("cohort.csv row 3 (subject s2): age \"inf\" is not a number"), m);
		assertTrue(m.contains("cohort.csv row 4 (subject s3): age \"NaN\" is not a number"), m);
		assertTrue(m.contains("cohort.csv row 4 (subject s3): sex is empty. Enter the sex or " +
			"remove the row."), m);
		assertTrue(m.contains("cohort.csv row 5 (subject s4): age \"1,5\" is not a number " +
			"(use a decimal point, not a comma)"), m);
		assertTrue(m.contains("cohort.csv: group level \"c\" has 1 subject (row 6, subject s5); " +
			"merge it with another level or remove the row."), m);
		assertTrue(m.contains("covariate icv has the same value") == false, "icv has a bad cell");
	}

	@Test
	void constantCovariatesAreReported() {
		final CsvTable t = Csv.parse("age,sex\n60,F\n60,F\n60.0,F\n", "cohort.csv");
		final String m = assertThrows(InputException.class, () -> Covariates.code(t, List.of(
			"age", "sex"), List.of("sex"), null)).getMessage();
		assertTrue(m.contains("cohort.csv: covariate age has the same value (60) for every " +
			"subject"), m);
		assertTrue(m.contains("cohort.csv: covariate sex has one level (\"F\") for every " +
			"subject"), m);
		assertTrue(m.contains("Remove sex from the covariates."), m);
	}

	@Test
	void unknownCovariateListsTheColumns() {
		final CsvTable t = Csv.parse("subject,Age,sex\na,1,F\n", "cohort.csv");
		final String m = assertThrows(InputException.class, () -> Covariates.code(t, List.of(
			"age"), List.of(), null)).getMessage();
		assertEquals("cohort.csv has no column \"age\" (covariate); did you mean \"Age\"? Use " +
			"one of its columns: subject, Age, sex.", m);
	}
}
