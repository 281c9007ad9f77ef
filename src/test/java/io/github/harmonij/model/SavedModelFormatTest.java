// SPDX-License-Identifier: MIT
package io.github.harmonij.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.cohort.TableSpec;
import io.github.harmonij.core.ComBatOptions;
import io.github.harmonij.core.EmpiricalBayes;
import io.github.harmonij.core.Progress;
import io.github.harmonij.io.Json;
import io.github.harmonij.pipeline.TableHarmonisation;
import io.github.harmonij.pipeline.TableSiteAddition;

/**
 * model.json as the code before the typed {@link ModelJson} wrote it (the files of
 * {@code src/test/resources/model-v2}, see PROVENANCE.md there): still read, and written again
 * with the same text (keys, order and numbers).
 */
class SavedModelFormatTest {

	private static final Path OLD = Paths.get("src/test/resources/model-v2");

	private static final Path DATASET = Paths.get("src/test/resources/reference/stats/dataset.csv");

	/** The fields that name the writer's version or the machine's paths, blanked to compare. */
	private static final String VOLATILE = "\"(harmonij_version|table|from_model)\": \"[^\"]*\"";

	@TempDir
	Path tmp;

	@Test
	void rewritesEveryModelWrittenBeforeWithTheSameText() throws IOException {
		for (final String f : new String[] { "table-combat.json", "table-regression.json",
			"table-meanonly.json", "voxelwise/model.json" })
		{
			final String text = read(OLD.resolve(f));
			assertEquals(text, ModelJson.of(ModelJson.tree(text)).text(), f);
		}
	}

	@Test
	void readsAnExtendedModelToTheSameValues() throws IOException {
		// An extended model's own layout (maps last, integral doubles as integers) is written
		// only when a site is added (see writesTheSameExtendedModel); read, it holds the same.
		for (final String f : new String[] { "table-combat-plus-c.json",
			"voxelwise-plus-c/model.json" })
		{
			final String text = read(OLD.resolve(f));
			assertEquals(Json.read(text), Json.read(ModelJson.of(ModelJson.tree(text)).text()), f);
		}
	}

	@Test
	void readsAVoxelwiseModelFolderWrittenBefore() {
		final SavedModel m = SavedModel.read(OLD.resolve("voxelwise-plus-c"));
		assertTrue(m.voxelwise());
		assertEquals("combat", m.method());
		assertEquals("site", m.batchColumn());
		assertNull(m.idColumn());
		assertEquals(EmpiricalBayes.PARAMETRIC, m.eb());
		assertFalse(m.meanOnly());
		assertArrayEquals(new String[] { "SiteA", "SiteB", "SiteC" }, m.model().batchLevels());
		assertEquals(List.of("sex[M]", "age[ns1]", "age[ns2]", "age[ns3]", "age[ns4]"), m.coding()
			.codedNames());
		assertEquals(40, m.model().nFeatures());
		int masked = 0;
		for (final boolean b : m.mask())
			if (b) masked++;
		assertEquals(40, masked);
		assertEquals(91 * 109 * 91, m.grid().voxelsPerVolume());
	}

	@Test
	void readsTableModelsWrittenBefore() {
		final SavedModel c = SavedModel.read(OLD.resolve("table-meanonly.json"));
		assertFalse(c.voxelwise());
		assertTrue(c.meanOnly());
		assertEquals(EmpiricalBayes.NONE, c.eb());
		assertEquals(List.of("f1", "f2", "f3", "f4", "f5", "f6"), c.features());
		assertEquals(1, c.model().refBatch());
		final SavedModel r = SavedModel.read(OLD.resolve("table-regression.json"));
		assertEquals("regression", r.method());
		assertEquals(EmpiricalBayes.PARAMETRIC, r.eb(), "no options.eb: parametric");
	}

	@Test
	void writesTheSameTableModel() throws IOException {
		final Path ab = rows("ab.csv", "A", "B"), model = tmp.resolve("model.json");
		TableHarmonisation.run(TableHarmonisation.Request.combat(ab, TableSpec.batch("site")
			.covariates("age", "sex", "group").categorical("sex", "group"), ComBatOptions
				.defaults(), tmp.resolve("ab-h.csv")).modelOut(model).build(), Progress.NONE,
			() -> false);
		assertEquals(stable(read(OLD.resolve("table-combat.json"))), stable(read(model)));
	}

	@Test
	void writesTheSameExtendedModel() throws IOException {
		final Path old = tmp.resolve("table-combat.json"), model = tmp.resolve("extended.json");
		Files.copy(OLD.resolve("table-combat.json"), old);
		TableSiteAddition.add(TableSiteAddition.Request.of(old, rows("tc.csv", "C"), tmp.resolve(
			"c-h.csv"), model).clamp(true), Progress.NONE, () -> false);
		assertEquals(stable(read(OLD.resolve("table-combat-plus-c.json"))), stable(read(model)));
	}

	// -- Helper methods --

	/** The dataset's rows of these sites, as a new table in the temporary folder. */
	private Path rows(final String name, final String... sites) throws IOException {
		final List<String> lines = Files.readAllLines(DATASET, StandardCharsets.UTF_8);
		final List<String> out = new ArrayList<>(List.of(lines.get(0)));
		for (final String line : lines.subList(1, lines.size()))
			for (final String s : sites)
				if (line.split(",")[1].equals(s)) out.add(line);
		final Path f = tmp.resolve(name);
		Files.write(f, out, StandardCharsets.UTF_8);
		return f;
	}

	private static String stable(final String text) {
		return text.replaceAll(VOLATILE, "\"$1\": \"\"");
	}

	private static String read(final Path f) throws IOException {
		return new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
	}
}
