// SPDX-License-Identifier: MIT
package io.github.harmonij.pipeline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import io.github.harmonij.cohort.Cohort;
import io.github.harmonij.cohort.CohortManifest;
import io.github.harmonij.cohort.CohortSpec;
import io.github.harmonij.core.Design;
import io.github.harmonij.core.EmpiricalBayes;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.SiteAddition;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.OutputFolder;
import io.github.harmonij.model.SavedModel;

/**
 * Adds a new site to a saved voxelwise model ({@link SiteAddition}) and harmonises its subjects:
 * reads the new images on the model's mask, fits the site against the frozen parameters, writes
 * the extended model, then harmonises the images with it as {@link VoxelwiseHarmonisation#apply}
 * does. The output folder holds {@code model/} (the extended model, same format),
 * {@code harmonised/}, {@code difference/}, {@code summary.csv} and {@code run.json} (with an
 * {@code added_site} record, and the fit's time). The images are read once: the fit and the apply
 * use the same rows.
 */
public final class VoxelwiseSiteAddition {

	/**
	 * What to add and where to write: as for applying a model (its model is the model folder, its
	 * manifest lists the new site's subjects), plus the empirical Bayes mode. Immutable.
	 */
	public static final class Request {

		private final VoxelwiseHarmonisation.ApplyRequest apply;

		private final EmpiricalBayes eb;

		private Request(final VoxelwiseHarmonisation.ApplyRequest apply, final EmpiricalBayes eb) {
			this.apply = apply;
			this.eb = eb;
		}

		/**
		 * @param apply the model, the new site's manifest, the output and how to apply
		 * @param eb the empirical Bayes mode, or null for the model's own
		 */
		public static Request of(final VoxelwiseHarmonisation.ApplyRequest apply,
			final EmpiricalBayes eb)
		{
			return new Request(apply, eb);
		}
	}

	private VoxelwiseSiteAddition() {}

	/**
	 * @return a summary: the site added, its usable and left-out voxels, what apply did
	 * @throws InputException before any image data are read: a table model, a site the model
	 *           knows, several new sites, too few subjects, unknown levels, images on another grid
	 * @throws CancellationException if canceled; nothing is left in the output folder's place
	 */
	public static String run(final Request r, final Progress progress,
		final Consumer<String> status, final BooleanSupplier canceled)
	{
		final long t0 = System.nanoTime();
		final VoxelwiseHarmonisation.ApplyRequest a = r.apply;
		OutputFolder.checkUsable(a.out());
		final SavedModel saved = SavedModel.read(a.model());
		if (!saved.voxelwise()) throw new InputException(a.model() + " is a table model; use " +
			"add-site-table for tables, or give the model folder of a voxelwise run (OUT/model).");
		final Cohort cohort = CohortManifest.readForApply(a.manifest(), CohortSpec.batch(saved
			.batchColumn()).minSubjectsPerBatch(1));
		final List<String> warnings = new ArrayList<>();
		final Design design = saved.designForNewSite(cohort.table(), cohort.subjectIds(), cohort
			.batches(), a.clamp(), warnings);
		for (final String w : warnings)
			status.accept("Warning: " + w);
		final boolean meanOnly = saved.meanOnly();
		SiteAddition.validate(saved.model(), design, meanOnly);
		final EmpiricalBayes eb = r.eb != null ? r.eb : saved.eb();
		final NiftiHeader[] headers = VoxelwiseHarmonisation.checkImages(cohort, saved.grid());
		final Path abs = a.out().toAbsolutePath().normalize();
		final SiteAddition.Result[] added = new SiteAddition.Result[1];
		// The images are read once: the site is fitted on them, the extended model is written
		// into the output's work folder, and the apply that every saved model goes through
		// harmonises the same rows with it.
		final VoxelwiseHarmonisation.ModelFromImages fit = (matrix, dir) -> {
			status.accept("Fitting site \"" + design.batchLevel(0) + "\" against the frozen model");
			added[0] = SiteAddition.add(saved.model(), design, matrix, eb, meanOnly, progress,
				canceled);
			final Path model = dir.resolve("model");
			final SavedModel extended;
			try {
				Files.createDirectories(model);
				extended = SavedModel.writeVoxelwiseExtended(model, saved, added[0], eb, a
					.manifest().toAbsolutePath(), saved.source(), a.deflateLevel());
			}
			catch (final IOException e) {
				throw new InputException("Cannot write the extended model to " + a.out() + ": " + e
					.getMessage());
			}
			return extended;
		};
		final VoxelwiseHarmonisation.Result result;
		try (HeapMonitor heap = HeapMonitor.start()) {
			result = VoxelwiseHarmonisation.apply(a, saved, null, cohort, headers, warnings, fit,
				() -> siteRecord(added[0], eb, abs.resolve("model")), progress, status, canceled,
				heap, t0);
		}
		return String.format(java.util.Locale.ROOT, "Added site \"%s\" (%d subjects, eb=%s) " +
			"to the model; %d voxels harmonised by the model were left unchanged for it (not " +
			"finite or constant in its images). Extended model: %s. ", added[0].site(), added[0]
				.nSubjects(), eb.key(), added[0].leftOut(), abs.resolve("model")) + result.summary();
	}

	// -- Helper methods --

	/** run.json's record of the addition: the site, its usable voxels, its priors. */
	private static Map<String, Object> siteRecord(final SiteAddition.Result added,
		final EmpiricalBayes eb, final Path extended)
	{
		final Map<String, Object> site = new LinkedHashMap<>();
		site.put("batch", added.site());
		site.put("subjects", added.nSubjects());
		site.put("eb", eb.key());
		site.put("usable_voxels", added.usable());
		site.put("left_out_voxels", added.leftOut());
		site.putAll(SavedModel.priors(added));
		site.put("extended_model", extended.toString());
		return site;
	}
}
