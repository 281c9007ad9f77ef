// SPDX-License-Identifier: MIT
package io.github.harmonij.pipeline;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
public final class TableSiteAddition {

	/**
	 * The model, the new site's table, the outputs and how to add. Immutable: built with
	 * {@link #of} and the optional steps, each of which returns a changed copy.
	 */
	public static final class Request {

		private final Path model, table, out, modelOut;

		private final EmpiricalBayes eb;

		private final boolean clamp;

		private Request(final Path model, final Path table, final Path out, final Path modelOut,
			final EmpiricalBayes eb, final boolean clamp)
		{
			this.model = model;
			this.table = table;
			this.out = out;
			this.modelOut = modelOut;
			this.eb = eb;
			this.clamp = clamp;
		}

		/**
		 * @param model the saved table model (JSON)
		 * @param table the new site's table
		 * @param out a new file for the harmonised rows
		 * @param modelOut a new file for the extended model
		 * @throws InputException if an output is an input, or exists
		 */
		public static Request of(final Path model, final Path table, final Path out,
			final Path modelOut)
		{
			UserPaths.checkDistinct(UserPaths.files("out", out.toFile(), "model_out", modelOut
				.toFile()), UserPaths.files("model", model.toFile(), "table", table.toFile()));
			for (final Path f : new Path[] { out, modelOut })
				if (Files.exists(f)) throw new InputException(f + " already exists; choose a new " +
					"file (nothing was overwritten).");
			return new Request(model, table, out, modelOut, null, false);
		}

		/**
		 * @param mode the empirical Bayes mode, or null for the model's own
		 * @return a changed copy
		 */
		public Request eb(final EmpiricalBayes mode) {
			return new Request(model, table, out, modelOut, mode, clamp);
		}

		/**
		 * @param clampSmooth clamp smooth covariates to the training range (with a warning)
		 *          instead of failing
		 * @return a changed copy
		 */
		public Request clamp(final boolean clampSmooth) {
			return new Request(model, table, out, modelOut, eb, clampSmooth);
		}
	}

	private TableSiteAddition() {}

	/** @return a summary line (with any clamping warnings) */
	public static String add(final Request r, final Progress progress,
		final BooleanSupplier canceled)
	{
		final Path model = r.model, table = r.table, out = r.out, modelOut = r.modelOut;
		final EmpiricalBayes eb = r.eb;
		final boolean clamp = r.clamp;
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
		// the table and the extended model appear together or not at all
		TableHarmonisation.publish(t, result, out, modelOut, () -> SavedModel.writeTableExtended(
			modelOut, saved, added, mode, table.toAbsolutePath(), model.toAbsolutePath()), null);
		final StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
			"Added site \"%s\" (%d subjects, eb=%s) to the %s model %s and harmonised its %d " +
				"features in %.3f s; wrote %s and the extended model %s.", added.site(), added
					.nSubjects(), mode.key(), saved.method(), model, t.nFeatures(), seconds, out,
			modelOut));
		s.append(TableHarmonisation.columns(t, saved.coding().names()));
		if (added.leftOut() > 0) s.append(String.format(Locale.ROOT, " %d features were left " +
			"unchanged for the new site (missing or constant in its rows).", added.leftOut()));
		for (final String w : warnings)
			s.append(" Warning: ").append(w);
		return s.toString();
	}
}
