// SPDX-License-Identifier: MIT
package io.github.harmonij.script;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Path;
import java.nio.file.Paths;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.Context;
import org.scijava.script.ScriptModule;
import org.scijava.script.ScriptService;

import io.github.harmonij.io.Csv;
import io.github.harmonij.io.CsvTable;

/**
 * A Groovy script with {@code #@ CommandService cs} drives Harmonise Table (ComBat) the way a Fiji
 * user's script does; the output matches R sva::ComBat on the same table.
 */
class GroovyScriptTest {

	/** sva's reference is written with 17 significant digits; the algebra agrees to about 1e-10. */
	private static final double SVA_TOL = 1e-8;

	@TempDir
	Path dir;

	@Test
	void scriptRunsHarmoniseTable() throws Exception {
		final Path ref = Paths.get("src/test/resources/reference/sva");
		final File out = dir.resolve("harmonised.csv").toFile();
		try (Context context = new Context()) {
			final ScriptService scripts = context.service(ScriptService.class);
			// process = true, as Fiji's script editor runs it: the preprocessors inject #@ services.
			final ScriptModule m = scripts.run(new File("src/test/resources/scripts/" +
				"harmonise_table.groovy"), true, "table", ref.resolve("dataset_small.csv").toFile(),
				"out", out).get();
			final String summary = (String) m.getOutput("summary");
			assertTrue(summary.startsWith("Harmonised 40 features of"), summary);
		}
		final CsvTable got = Csv.read(out.toPath());
		final CsvTable want = Csv.read(ref.resolve("small_par_full_noref_agesex.csv"));
		assertEquals(want.nRows(), got.nRows());
		for (int r = 0; r < want.nRows(); r++)
			for (int c = 1; c < want.nColumns(); c++) {
				final String col = want.header().get(c);
				final double w = Double.parseDouble(want.cell(r, c));
				final double g = Double.parseDouble(got.cell(r, got.column(col)));
				assertEquals(w, g, SVA_TOL * Math.max(1, Math.abs(w)), col + " row " + r);
			}
	}
}
