// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.github.harmonij.core.Design;
import io.github.harmonij.core.EmpiricalBayes;
import io.github.harmonij.core.InputException;
import io.github.harmonij.core.Progress;
import io.github.harmonij.core.SiteAddition;

/**
 * Adds a new site to a saved voxelwise model ({@link SiteAddition}) and harmonises its subjects:
 * reads the new images on the model's mask, fits the site against the frozen parameters, writes
 * the extended model, then runs {@link VoxelwiseHarmonisation#apply} with it. The output folder
 * holds {@code model/} (the extended model, same format), {@code harmonised/},
 * {@code difference/}, {@code summary.csv} and {@code run.json} (with an {@code added_site}
 * record). The images are read twice (fit, then apply), so that the apply step is the one every
 * saved model goes through.
 */
public final class VoxelwiseSiteAddition {

	/** What to add and where to write. */
	public static final class Request {

		/** The model folder ({@code OUT/model}). */
		public Path model;

		/** Manifest of the new site's subjects: image, the model's site column and covariates. */
		public Path manifest;

		/** Empirical Bayes mode, or null for the model's own. */
		public EmpiricalBayes eb;

		public boolean clamp;

		public Path out;

		public Map<String, Object> invocation = new LinkedHashMap<>();

		public int deflateLevel = NiftiIO.ZERO_RUN;

		public boolean chunked;
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
		if (r.out == null) throw new InputException("No output folder given: set out=[folder].");
		OutputFolder.checkUsable(r.out);
		final SavedModel saved = SavedModel.read(r.model);
		if (!saved.voxelwise()) throw new InputException(r.model + " is a table model; use " +
			"add-site-table for tables, or give the model folder of a voxelwise run (OUT/model).");
		final Cohort cohort = CohortManifest.readForApply(r.manifest, CohortSpec.batch(saved
			.batchColumn()).minSubjectsPerBatch(1));
		final List<String> warnings = new ArrayList<>();
		final Design design = saved.designForNewSite(cohort.table(), cohort.subjectIds(), cohort
			.batches(), r.clamp, warnings);
		final boolean meanOnly = saved.meanOnly();
		SiteAddition.validate(saved.model(), design, meanOnly);
		final EmpiricalBayes eb = r.eb != null ? r.eb : saved.eb();
		final NiftiHeader grid = saved.grid();
		final int n = cohort.nSubjects();
		final NiftiHeader[] headers = new NiftiHeader[n];
		final List<String> problems = new ArrayList<>();
		for (int j = 0; j < n; j++) {
			try {
				headers[j] = NiftiIO.readHeader(cohort.image(j));
			}
			catch (final InputException e) {
				problems.add(CohortMatrix.where(cohort, j) + ": " + e.getMessage());
				continue;
			}
			final String diff = grid.gridDifference(headers[j]);
			if (headers[j].nVolumes() != 1) problems.add(CohortMatrix.where(cohort, j) + ": " +
				cohort.image(j).getFileName() + " has " + headers[j].nVolumes() + " volumes; each " +
				"manifest row needs one 3-D image. Split the file into volumes.");
			else if (diff != null) problems.add(CohortMatrix.where(cohort, j) + ": " + cohort.image(
				j).getFileName() + " is not on the model's grid (" + diff + "). Resample it to the " +
				"template the model was fitted on.");
		}
		InputException.throwIfAny(cohort.manifest().getFileName() + ": " + problems.size() +
			" images do not fit the model:", problems);
		final Path abs = r.out.toAbsolutePath().normalize();
		final Path work = abs.getParent().resolve("." + abs.getFileName() + ".model.partial");
		try {
			if (Files.exists(work)) deleteTree(work); // left by a run that was killed
			Files.createDirectories(work.resolve("model"));
			final SiteAddition.Result added;
			final CohortMatrix.Storage storage = CohortMatrix.Storage.inMemory();
			long maskVoxels = 0;
			for (final boolean m : saved.mask())
				if (m) maskVoxels++;
			if (r.chunked || 4.0 * maskVoxels * n > VoxelwiseHarmonisation.IN_MEMORY_FRACTION *
				Runtime.getRuntime().maxMemory()) storage.spillDir = work;
			status.accept("Reading " + n + " images of site \"" + design.batchLevel(0) + "\"");
			try (CohortMatrix cm = CohortMatrix.read(cohort, headers, saved.mask(), storage,
				progress, canceled))
			{
				status.accept("Fitting site \"" + design.batchLevel(0) + "\" against the frozen model");
				added = SiteAddition.add(saved.model(), design, cm.matrix(), eb, meanOnly, progress,
					canceled);
			}
			final Map<String, Object> record = new LinkedHashMap<>();
			record.put("eb", eb.key());
			record.put("manifest", r.manifest.toAbsolutePath().toString());
			record.put("from_model", saved.source().toString());
			SavedModel.writeVoxelwiseExtended(work.resolve("model"), saved, added, record,
				r.deflateLevel);
			final VoxelwiseHarmonisation.ApplyRequest a = new VoxelwiseHarmonisation.ApplyRequest();
			a.model = work.resolve("model");
			a.manifest = r.manifest;
			a.clamp = r.clamp;
			a.out = r.out;
			a.invocation = r.invocation;
			a.deflateLevel = r.deflateLevel;
			a.chunked = r.chunked;
			// The extended model joins the output while it is still the work folder, with
			// run.json naming it and the addition: a folder that appears is complete.
			a.finishing = dir -> {
				try {
					Files.move(work.resolve("model"), dir.resolve("model"));
					amendRunJson(dir.resolve("run.json"), saved, added, eb, abs.resolve("model"));
				}
				catch (final IOException e) {
					throw new InputException("Cannot add the extended model to " + r.out + ": " + e
						.getMessage());
				}
			};
			final VoxelwiseHarmonisation.Result result = VoxelwiseHarmonisation.apply(a, progress,
				status, canceled);
			return String.format(java.util.Locale.ROOT, "Added site \"%s\" (%d subjects, eb=%s) " +
				"to the model; %d voxels harmonised by the model were left unchanged for it (not " +
				"finite or constant in its images). Extended model: %s. ", added.site(), added
					.nSubjects(), eb.key(), added.leftOut(), abs.resolve("model")) + result.summary();
		}
		catch (final IOException e) {
			throw new InputException("Cannot write the extended model to " + r.out + ": " + e
				.getMessage());
		}
		finally {
			try {
				if (Files.exists(work)) deleteTree(work);
			}
			catch (final IOException e) {
				status.accept("Warning: could not remove " + work + ": " + e.getMessage());
			}
		}
	}

	// -- Helper methods --

	/** Adds what the addition did to run.json: the model it started from, the new site's priors. */
	private static void amendRunJson(final Path runJson, final SavedModel saved,
		final SiteAddition.Result added, final EmpiricalBayes eb, final Path extended)
		throws IOException
	{
		@SuppressWarnings("unchecked")
		final Map<String, Object> run = (Map<String, Object>) JsonReader.parse(new String(Files
			.readAllBytes(runJson), StandardCharsets.UTF_8));
		@SuppressWarnings("unchecked")
		final Map<String, Object> inv = (Map<String, Object>) run.get("invocation");
		inv.put("model", saved.source().toString());
		final Map<String, Object> site = new LinkedHashMap<>();
		site.put("batch", added.site());
		site.put("subjects", added.nSubjects());
		site.put("eb", eb.key());
		site.put("usable_voxels", added.usable());
		site.put("left_out_voxels", added.leftOut());
		site.put("gamma_bar", added.gammaBar());
		site.put("tau2", added.tau2());
		site.put("a_prior", added.aPrior());
		site.put("b_prior", added.bPrior());
		site.put("iterations", added.iterations());
		site.put("extended_model", extended.toString());
		run.put("added_site", site);
		Files.delete(runJson);
		VoxelwiseHarmonisation.writeText(runJson, JsonWriter.write(run));
	}

	private static void deleteTree(final Path dir) throws IOException {
		try (Stream<Path> s = Files.walk(dir)) {
			for (final Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator)
				Files.delete(p);
		}
	}
}
