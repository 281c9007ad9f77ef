// SPDX-License-Identifier: MIT
package io.github.harmonij.cohort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.core.Design;
import io.github.harmonij.core.InputException;

class CohortManifestTest {

	@TempDir
	Path dir;

	private Path elsewhere;

	private static final CohortSpec SPEC = CohortSpec.batch("site").covariates("age", "sex")
		.categorical("sex");

	@BeforeEach
	void images() throws IOException {
		Files.createDirectories(dir.resolve("images"));
		for (int i = 1; i <= 8; i++)
			Files.createFile(dir.resolve("images").resolve(String.format("sub-%03d_GM.nii.gz", i)));
		elsewhere = Files.createDirectories(dir.resolve("other"));
		Files.createFile(elsewhere.resolve("ucl-1.nii"));
	}

	@Test
	void readsRelativeAndAbsolutePaths() throws IOException {
		final Path abs = elsewhere.resolve("ucl-1.nii").toAbsolutePath();
		final Path m = manifest("cohort.csv", "subject,image,site,age,sex",
			"sub-001,images/sub-001_GM.nii.gz,Zürich,63,F",
			"sub-002,./images/sub-002_GM.nii.gz,Zürich,70,M",
			"sub-003," + abs + ",UCL,55,M",
			"sub-004,images/../images/sub-004_GM.nii.gz,UCL,58,F");
		final Cohort c = CohortManifest.read(m, SPEC);
		assertEquals(4, c.nSubjects());
		assertEquals(dir.resolve("images/sub-001_GM.nii.gz").toAbsolutePath(), c.image(0));
		assertEquals(dir.resolve("images/sub-002_GM.nii.gz").toAbsolutePath(), c.image(1));
		assertEquals(abs, c.image(2));
		assertEquals(dir.resolve("images/sub-004_GM.nii.gz").toAbsolutePath(), c.image(3));
		assertTrue(c.images().stream().allMatch(Path::isAbsolute));
		assertEquals(List.of("sub-001", "sub-002", "sub-003", "sub-004"), c.subjectIds());
		assertEquals(List.of("Zürich", "Zürich", "UCL", "UCL"), c.batches());
		final Design d = c.design();
		assertArrayEquals(new String[] { "UCL", "Zürich" }, d.batchLevels(), "sorted levels");
		assertArrayEquals(new int[] { 1, 1, 0, 0 }, d.batches());
		assertArrayEquals(new String[] { "age", "sex[M]" }, d.covariateNames());
		assertEquals(70, d.covariate(1, 0));
		assertEquals(1, d.covariate(1, 1));
		assertEquals(0, d.covariate(3, 1));
		assertEquals("sub-003", d.subjectId(2));
		assertEquals(4, c.rowOf(2));
		assertEquals("UCL", c.rawRow(2)[2]);
		assertNull(c.referenceBatch());
		assertEquals(m.toAbsolutePath(), c.manifest());
	}

	@Test
	void idsComeFromImageNamesWithoutAnIdColumn() throws IOException {
		final Path m = manifest("cohort.csv", "image,scanner",
			"images/sub-001_GM.nii.gz,A", "images/sub-002_GM.nii.gz,A",
			"images/sub-003_GM.nii.gz,B", "other/ucl-1.nii,B");
		final Cohort c = CohortManifest.read(m, CohortSpec.batch("scanner"));
		assertEquals(List.of("sub-001_GM", "sub-002_GM", "sub-003_GM", "ucl-1"), c.subjectIds());
		assertEquals(0, c.design().nCovariates());
	}

	@Test
	void sameFileNamesInDifferentFoldersUseThePathAsId() throws IOException {
		Files.createDirectories(dir.resolve("a"));
		Files.createDirectories(dir.resolve("b"));
		Files.createFile(dir.resolve("a/T1w.nii"));
		Files.createFile(dir.resolve("b/T1w.nii"));
		final Path m = manifest("cohort.csv", "image,site", "a/T1w.nii,X", "b/T1w.nii,X",
			"images/sub-001_GM.nii.gz,Y", "images/sub-002_GM.nii.gz,Y");
		assertEquals(List.of("a/T1w.nii", "b/T1w.nii", "images/sub-001_GM.nii.gz",
			"images/sub-002_GM.nii.gz"), CohortManifest.read(m, CohortSpec.batch("site"))
				.subjectIds());
	}

	@Test
	void categoricalOnlyColumnIsAddedAsCovariateAndReferenceBatchIsFound() throws IOException {
		final Path m = manifest("cohort.csv", "id,image,site,age,group",
			"s1,images/sub-001_GM.nii.gz,B,1,x", "s2,images/sub-002_GM.nii.gz,B,2,y",
			"s3,images/sub-003_GM.nii.gz,A,3,y", "s4,images/sub-004_GM.nii.gz,A,4,x");
		final Cohort c = CohortManifest.read(m, CohortSpec.batch("site").covariates("age")
			.categorical("group").referenceBatch("B"));
		assertArrayEquals(new String[] { "age", "group[y]" }, c.design().covariateNames());
		assertEquals("B", c.referenceBatch());
		assertEquals(1, c.referenceBatchIndex());
		assertEquals("s3", c.subjectId(2), "the id column is found without being named");
	}

	@Test
	void missingImageNamesRowSubjectAndResolvedPath() throws IOException {
		final Path m = manifest("cohort.csv", "subject,image,site,age,sex",
			"sub-001,images/sub-001_GM.nii.gz,A,63,F", "sub-002,images/sub-002_GM.nii.gz,A,70,M",
			"sub-003,images/sub-003_GM.nii.gz,B,55,M", "sub-009,images/typo.nii.gz,B,58,F");
		final String msg = assertThrows(InputException.class, () -> CohortManifest.read(m, SPEC))
			.getMessage();
		assertTrue(msg.startsWith("cohort.csv row 5 (subject sub-009): image file not found: " +
			dir.resolve("images/typo.nii.gz").toAbsolutePath()), msg);
		assertTrue(msg.contains("relative path is resolved against the manifest's folder"), msg);
	}

	@Test
	void unknownColumnsListTheAvailableOnes() throws IOException {
		final Path m = manifest("cohort.csv", "subject,image,site,age",
			"sub-001,images/sub-001_GM.nii.gz,A,63", "sub-002,images/sub-002_GM.nii.gz,A,70",
			"sub-003,images/sub-003_GM.nii.gz,B,55", "sub-004,images/sub-004_GM.nii.gz,B,58");
		final String msg = assertThrows(InputException.class, () -> CohortManifest.read(m,
			CohortSpec.batch("scanner").covariates("age", "sex"))).getMessage();
		assertTrue(msg.contains("cohort.csv has no column \"scanner\" (batch column). Use one " +
			"of its columns: subject, image, site, age."), msg);
		assertTrue(msg.contains("cohort.csv has no column \"sex\" (covariate)"), msg);
	}

	@Test
	void everyProblemIsReportedTogether() throws IOException {
		final Path m = manifest("cohort.csv", "subject,image,site,age,sex",
			"sub-001,images/sub-001_GM.nii.gz,A,63,F",
			"sub-002,images/sub-002_GM.nii.gz,A,NA,M",
			"sub-002,images/sub-003_GM.nii.gz,A,55,M",
			"sub-004,images/missing.nii.gz,B,58,F",
			"sub-005,images/sub-001_GM.nii.gz,C,60,F",
			"sub-006,images/sub-006_GM.nii.gz,C,61,",
			"sub-007,images/sub-007_GM.nii.gz,,62,M");
		final InputException e = assertThrows(InputException.class, () -> CohortManifest.read(m,
			SPEC.referenceBatch("D")));
		final String msg = e.getMessage();
		final String first = msg.split("\\R")[0];
		assertTrue(first.startsWith("cohort.csv has ") && first.contains(" problems"), first);
		for (final String expected : new String[] {
			"cohort.csv row 3 (subject sub-002): age \"NA\" is not a number. Enter the age or " +
				"remove the row.",
			"cohort.csv: subject sub-002 appears in rows 3, 4. Subject ids must be unique",
			"cohort.csv row 5 (subject sub-004): image file not found: ",
			"cohort.csv: site \"B\" has 1 subject (row 5, subject sub-004); ComBat needs at " +
				"least 2 per site for a variance (mean-only adjustment can run with 1). Merge " +
				"or exclude that site.",
			"cohort.csv: the image " + dir.resolve("images/sub-001_GM.nii.gz").toAbsolutePath() +
				" is listed 2 times (row 2, subject sub-001; row 6, subject sub-005)",
			"cohort.csv row 7 (subject sub-006): sex is empty. Enter the sex or remove the row.",
			"cohort.csv row 8 (subject sub-007): site is empty. Enter the site or remove the row.",
			"cohort.csv: the reference site \"D\" is not in column site; its values are: A, B, " +
				"C. Choose one of them." })
			assertTrue(msg.contains(expected), "missing: " + expected + "\nin:\n" + msg);
	}

	@Test
	void meanOnlyAllowsSitesOfOneSubject() throws IOException {
		final Path m = manifest("cohort.csv", "subject,image,site",
			"sub-001,images/sub-001_GM.nii.gz,A", "sub-002,images/sub-002_GM.nii.gz,A",
			"sub-003,images/sub-003_GM.nii.gz,B");
		assertThrows(InputException.class, () -> CohortManifest.read(m, CohortSpec.batch(
			"site")));
		assertEquals(3, CohortManifest.read(m, CohortSpec.batch("site").meanOnly(true))
			.nSubjects());
		final String msg = assertThrows(InputException.class, () -> CohortManifest.read(m,
			CohortSpec.batch("site").minSubjectsPerBatch(3))).getMessage();
		assertTrue(msg.contains("cohort.csv: site \"A\" has 2 subjects; at least 3 per site " +
			"are needed."), msg);
	}

	@Test
	void oneSiteOnlyAndEmptyManifestAreReported() throws IOException {
		final Path one = manifest("one.csv", "image,site", "images/sub-001_GM.nii.gz,A",
			"images/sub-002_GM.nii.gz,A");
		assertTrue(assertThrows(InputException.class, () -> CohortManifest.read(one, CohortSpec
			.batch("site"))).getMessage().contains("harmonisation needs at least 2 batches"));
		final Path empty = manifest("empty.csv", "image,site");
		assertTrue(assertThrows(InputException.class, () -> CohortManifest.read(empty, CohortSpec
			.batch("site"))).getMessage().startsWith("empty.csv has no data rows, only a " +
				"header."));
		assertThrows(InputException.class, () -> CohortSpec.batch(" "));
	}

	@Test
	void batchColumnCannotBeACovariate() throws IOException {
		final Path m = manifest("cohort.csv", "image,site", "images/sub-001_GM.nii.gz,A",
			"images/sub-002_GM.nii.gz,A", "images/sub-003_GM.nii.gz,B",
			"images/sub-004_GM.nii.gz,B");
		final String msg = assertThrows(InputException.class, () -> CohortManifest.read(m,
			CohortSpec.batch("site").categorical("site"))).getMessage();
		assertTrue(msg.startsWith("cohort.csv: site is the batch column, so it cannot also be " +
			"a covariate"), msg);
	}

	// -- Helper methods --

	private Path manifest(final String name, final String... lines) throws IOException {
		return Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n");
	}
}
