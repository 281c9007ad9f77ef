// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.core.InputException;
import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;

class FeatureTableTest {

	@TempDir
	Path dir;

	private static final String[] VOLUMES = { //
		"subject,site,age,sex,diagnosis,Left-Hippocampus,notes,Right-Hippocampus,empty",
		"sub-001,Zürich,63,F,AD,4012.5,\"moved, once\",4108.25,",
		"sub-002,Zürich, 70 ,M,CN,3990,,4001.125,",
		"sub-003,UCL,55,M,CN,4203.75,ok,4190,",
		"sub-004,UCL,58,F,MCI,3875.5,,3902.5," };

	private static final TableSpec SPEC = TableSpec.batch("site").covariates("age")
		.categorical("sex");

	@Test
	void defaultFeaturesAreTheNumericColumnsInFileOrder() throws IOException {
		final FeatureTable t = FeatureTable.read(table("volumes.csv", VOLUMES), SPEC);
		assertEquals(List.of("Left-Hippocampus", "Right-Hippocampus"), t.featureNames());
		assertArrayEquals(new double[][] { { 4012.5, 4108.25 }, { 3990, 4001.125 }, { 4203.75,
			4190 }, { 3875.5, 3902.5 } }, t.values());
		assertArrayEquals(new double[] { 3990, 4001.125 }, t.matrix().rows()[1]);
		assertEquals(List.of("sub-001", "sub-002", "sub-003", "sub-004"), t.subjectIds());
		assertArrayEquals(new String[] { "UCL", "Zürich" }, t.design().batchLevels());
		assertArrayEquals(new String[] { "age", "sex[M]" }, t.design().covariateNames());
		assertEquals(70, t.design().covariate(1, 0));
		assertEquals("diagnosis (text), notes (text), empty (no values)", FeatureTable.describe(t
			.leftAlone()));
	}

	@Test
	void harmonisedTableKeepsColumnsOrderAndOtherCells() throws IOException {
		final FeatureTable t = FeatureTable.read(table("volumes.csv", VOLUMES), SPEC);
		final double[][] h = new double[t.nSubjects()][t.nFeatures()];
		for (int j = 0; j < h.length; j++)
			for (int f = 0; f < h[j].length; f++)
				h[j][f] = Math.PI * 1000 * (j + 1) + f / 3.0;
		h[1][0] = 4000;
		final Path out = dir.resolve("volumes_harmonised.csv");
		t.writeHarmonised(out, h);
		final CsvTable in = Csv.read(dir.resolve("volumes.csv"));
		final CsvTable back = Csv.read(out);
		assertEquals(in.header(), back.header());
		assertEquals(in.nRows(), back.nRows());
		final int[] features = t.featureColumns();
		for (int r = 0; r < in.nRows(); r++)
			for (int c = 0; c < in.nColumns(); c++) {
				final int f = indexOf(features, c);
				if (f < 0) assertEquals(in.cell(r, c), back.cell(r, c), "copied verbatim");
				else assertEquals(Double.doubleToLongBits(h[r][f]), Double.doubleToLongBits(Csv
					.parseNumber(back.cell(r, c))), "full precision");
			}
		assertEquals(" 70 ", back.cell(1, 2));
		assertEquals("4000", back.cell(1, 5));
		assertTrue(Files.readString(out).startsWith(
			"subject,site,age,sex,diagnosis,Left-Hippocampus,notes,Right-Hippocampus,empty\r\n"));
	}

	@Test
	void writeHarmonisedRefusesToOverwrite() throws IOException {
		final Path in = table("volumes.csv", VOLUMES);
		final FeatureTable t = FeatureTable.read(in, SPEC);
		final InputException e = assertThrows(InputException.class, () -> t.writeHarmonised(in, t
			.values()));
		assertTrue(e.getMessage().contains("volumes.csv already exists"), e.getMessage());
		assertTrue(e.getMessage().contains("nothing was overwritten"), e.getMessage());
		assertEquals(String.join("\n", VOLUMES) + "\n", Files.readString(in));
	}

	@Test
	void semicolonTablesAreWrittenWithSemicolons() throws IOException {
		final Path in = table("eu.csv", "id;site;vol", "a;X;1.5", "b;X;2.5", "c;Y;3", "d;Y;4");
		final FeatureTable t = FeatureTable.read(in, TableSpec.batch("site"));
		assertEquals(List.of("vol"), t.featureNames(), "the numeric id-less columns only");
		t.writeHarmonised(dir.resolve("eu_h.csv"), t.values());
		assertEquals("id;site;vol\r\na;X;1.5\r\nb;X;2.5\r\nc;Y;3\r\nd;Y;4\r\n", Files.readString(
			dir.resolve("eu_h.csv")));
	}

	@Test
	void namedTextFeatureAndMissingValuesNameRowSubjectAndColumn() throws IOException {
		final Path in = table("volumes.csv", "subject,site,age,lh,rh,dx",
			"sub-001,A,60,1.5,NA,CN", "sub-002,A,61,,2,AD", "sub-003,B,62,1,NaN,CN",
			"sub-004,B,63,2,3,CN");
		final String msg = assertThrows(InputException.class, () -> FeatureTable.read(in,
			TableSpec.batch("site").covariates("age").features("lh", "rh", "dx"))).getMessage();
		for (final String expected : new String[] {
			"volumes.csv row 3 (subject sub-002): lh is empty. Fill in the value or remove the " +
				"row (missing feature values are not supported yet).",
			"volumes.csv row 2 (subject sub-001): rh is missing (\"NA\")",
			"volumes.csv row 4 (subject sub-003): rh is missing (\"NaN\")",
			"volumes.csv row 2 (subject sub-001): dx \"CN\" is not a number. Correct the value " +
				"or remove the row." })
			assertTrue(msg.contains(expected), "missing: " + expected + "\nin:\n" + msg);
		final String defaults = assertThrows(InputException.class, () -> FeatureTable.read(in,
			TableSpec.batch("site").covariates("age"))).getMessage();
		assertTrue(defaults.contains("lh is empty"), "a column with NA is still a feature");
		assertTrue(!defaults.contains("dx"), defaults);
	}

	@Test
	void featuresCannotBeTheBatchOrACovariateAndMustExist() throws IOException {
		final Path in = table("volumes.csv", VOLUMES);
		final String msg = assertThrows(InputException.class, () -> FeatureTable.read(in, SPEC
			.features("age", "Left-Hippocampus", "Left-Amygdala"))).getMessage();
		assertTrue(msg.contains("volumes.csv: age is a covariate, so it cannot also be a " +
			"feature."), msg);
		assertTrue(msg.contains("volumes.csv has no column \"Left-Amygdala\" (feature)"), msg);
	}

	@Test
	void withoutAnIdColumnRowsNameTheSubjects() throws IOException {
		final Path in = table("t.csv", "site,v1,v2", "A,1,2", "A,2,3", "B,3,", "B,4,5");
		final String msg = assertThrows(InputException.class, () -> FeatureTable.read(in,
			TableSpec.batch("site"))).getMessage();
		assertTrue(msg.startsWith("t.csv row 4: v2 is empty."), msg);
		final Path ok = table("u.csv", "site,v1", "A,1", "A,2", "B,3", "B,4");
		assertEquals(List.of("row 2", "row 3", "row 4", "row 5"), FeatureTable.read(ok, TableSpec
			.batch("site")).subjectIds());
	}

	@Test
	void batchSizeRulesAreTheManifestOnes() throws IOException {
		final Path in = table("t.csv", "id,site,v", "a,A,1", "b,A,2", "c,B,3");
		final String msg = assertThrows(InputException.class, () -> FeatureTable.read(in,
			TableSpec.batch("site"))).getMessage();
		assertTrue(msg.contains("t.csv: site \"B\" has 1 subject (row 4, subject c); ComBat " +
			"needs at least 2 per site"), msg);
		assertEquals(3, FeatureTable.read(in, TableSpec.batch("site").meanOnly(true))
			.nSubjects());
	}

	// -- Helper methods --

	private Path table(final String name, final String... lines) throws IOException {
		return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
	}

	private static int indexOf(final int[] a, final int v) {
		for (int i = 0; i < a.length; i++)
			if (a[i] == v) return i;
		return -1;
	}
}
