// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.cohort.TableSpec;
import io.github.harmonij.core.ComBatOptions;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.pipeline.TableHarmonisation;
import io.github.harmonij.report.EvidenceFigures;

/**
 * A table harmonisation with a report writes the table, the model and the report folder together
 * or not at all: canceled while the report is made, or failing while the outputs are put in place,
 * it leaves nothing (not even a partial folder).
 */
class TableHarmonisationTest {

	static final File TABLE = Paths.get("src/test/resources/reference/stats/dataset.csv").toFile();

	@TempDir
	Path dir;

	@Test
	void reportFolderIsNamedAfterTheOutputTable() {
		assertEquals(Paths.get("/d/volumes_harmonised_report"), TableHarmonisation.reportFolder(
			Paths.get("/d/volumes_harmonised.csv")));
		assertEquals(Paths.get("out_report"), TableHarmonisation.reportFolder(Paths.get("out")));
		assertEquals(Paths.get("/d/.x_report"), TableHarmonisation.reportFolder(Paths.get("/d/.x")));
		assertEquals(Paths.get("/d/a.b_report"), TableHarmonisation.reportFolder(Paths.get(
			"/d/a.b.tsv")));
	}

	@Test
	void cancelWhileTheReportIsMadeLeavesNothing() throws IOException {
		final Path out = dir.resolve("h.csv");
		// cancel as soon as the report's work folder exists, i.e. after the fit
		final Path work = dir.resolve(".h_report.partial");
		assertThrows(CancellationException.class, () -> run(out, null, () -> Files.exists(work)));
		assertEquals(List.of(), names(dir));
	}

	/**
	 * The model file appears (another program) while the run goes on: the table was already put in
	 * place, and is taken back with the report.
	 */
	@Test
	void failureWhilePublishingTakesBackWhatWasWritten() throws IOException {
		final Path out = dir.resolve("h.csv"), model = dir.resolve("h.json");
		final Path work = dir.resolve(".h_report.partial");
		final BooleanSupplier intruder = () -> {
			try {
				if (Files.exists(work) && !Files.exists(model)) Files.write(model, "other".getBytes(
					StandardCharsets.UTF_8));
			}
			catch (final IOException e) {
				throw new AssertionError(e);
			}
			return false;
		};
		final InputException e = assertThrows(InputException.class, () -> run(out, model.toFile(),
			intruder));
		assertTrue(e.getMessage().contains("h.json") && e.getMessage().contains("already exists"), e
			.getMessage());
		assertEquals(List.of("h.json"), names(dir), "only the other program's file");
		assertEquals("other", new String(Files.readAllBytes(model), StandardCharsets.UTF_8));
	}

	// -- Helper methods --

	private static String run(final Path out, final File model, final BooleanSupplier canceled) {
		return TableHarmonisation.run(TableHarmonisation.Request.combat(TABLE.toPath(), TableSpec
			.batch("site").covariates("age", "sex").categorical("sex"), ComBatOptions.defaults(), out)
			.modelOut(model == null ? null : model.toPath()).report(0.05,
				EvidenceFigures::writeBoxPlots, CohortRequests.REPORT).build(), Progress.NONE, canceled);
	}

	private static List<String> names(final Path folder) throws IOException {
		try (Stream<Path> s = Files.list(folder)) {
			return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
		}
	}
}
