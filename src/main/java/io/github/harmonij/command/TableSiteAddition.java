// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

import io.github.harmonij.cohort.FeatureTable;
import io.github.harmonij.core.Design;
import io.github.harmonij.core.EmpiricalBayes;
import io.github.harmonij.core.FeatureMatrix;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.SiteAddition;
import io.github.harmonij.io.UserPaths;
import io.github.harmonij.model.SavedModel;

/** Adds a site to a saved table model, writes the extended model and the harmonised rows. */
final class TableSiteAddition {

	private TableSiteAddition() {}

	/**
	 * @param eb empirical Bayes mode, or null for the model's own
	 * @return a summary line (with any clamping warnings)
	 */
	static String add(final File model, final File table, final File out, final File modelOut,
		final EmpiricalBayes eb, final boolean clamp, final Progress progress,
		final BooleanSupplier canceled)
	{
		CommandSupport.require(model, "model", "the saved model (JSON)");
		CommandSupport.require(table, "table", "the table of the new site (CSV)");
		CommandSupport.require(out, "out", "the output table (CSV)");
		CommandSupport.require(modelOut, "model_out", "the file for the extended model (JSON)");
		UserPaths.checkDistinct(UserPaths.files("out", out, "model_out", modelOut), UserPaths
			.files("model", model, "table", table));
		for (final File f : new File[] { out, modelOut })
			if (f.exists()) throw new InputException(f + " already exists; choose a new file " +
				"(nothing was overwritten).");
		final SavedModel saved = TableHarmonisation.tableModel(model, "add-site");
		final FeatureTable t = TableHarmonisation.readFor(saved, table);
		final List<String> warnings = new ArrayList<>();
		final Design design = saved.designForNewSite(t.table(), t.subjectIds(), t.batches(), clamp,
			warnings);
		final EmpiricalBayes mode = eb != null ? eb : saved.eb();
		final long t0 = System.nanoTime();
		final SiteAddition.Result added = SiteAddition.add(saved.model(), design, t.matrix(), mode,
			saved.meanOnly(), progress, canceled);
		final double[][] result = new double[t.nSubjects()][t.nFeatures()];
		added.model().apply(design, t.matrix(), new FeatureMatrix.DoubleRows(result), progress,
			canceled);
		final double seconds = (System.nanoTime() - t0) / 1e9;
		final Map<String, Object> record = new LinkedHashMap<>();
		record.put("eb", mode.key());
		record.put("table", table.getAbsolutePath());
		record.put("from_model", model.getAbsolutePath());
		// the table and the extended model appear together or not at all
		TableHarmonisation.publish(t, result, out.toPath(), modelOut.toPath(), () -> SavedModel
			.writeTableExtended(modelOut.toPath(), saved, added, record), null);
		final StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
			"Added site \"%s\" (%d subjects, eb=%s) to the %s model %s and harmonised its %d " +
				"features in %.3f s; wrote %s and the extended model %s.", added.site(), added
					.nSubjects(), mode.key(), saved.method(), model, t.nFeatures(), seconds, out,
			modelOut));
		if (added.leftOut() > 0) s.append(String.format(Locale.ROOT, " %d features were left " +
			"unchanged for the new site (missing or constant in its rows).", added.leftOut()));
		for (final String w : warnings)
			s.append(" Warning: ").append(w);
		return s.toString();
	}
}
