// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.widget.FileWidget;

import io.github.harmonij.cohort.CohortSpec;
import io.github.harmonij.pipeline.OutsideMask;
import io.github.harmonij.pipeline.SiteEffectMaps;
import io.github.harmonij.pipeline.VoxelwiseHarmonisation;

/**
 * What the two voxelwise harmonisation commands share: the cohort, the covariates, the mask, the
 * evidence options and the output folder. Subclasses add their method's options (ComBat's
 * empirical Bayes and mean-only) in {@link #configure}.
 */
abstract class CohortHarmonisationCommand extends ContextCommand {

	@Parameter
	private LogService log;

	@Parameter
	private StatusService status;

	@Parameter(label = "Cohort manifest (CSV)", style = FileWidget.OPEN_STYLE,
		description = "one row per image: image path, site column, covariates")
	private File manifest;

	@Parameter(label = "Site column", description = "manifest column with the site or scanner")
	private String batch = "site";

	@Parameter(label = "Covariates to preserve", required = false,
		description = "comma-separated manifest columns, e.g. age,sex,group")
	private String covariates = "";

	@Parameter(label = "Categorical covariates", required = false,
		description = "those of the covariates that are categories, e.g. sex,group")
	private String categorical = "";

	@Parameter(label = "Smooth covariates", required = false,
		description = "covariates entered as natural cubic splines (nonlinear effects, e.g. age)")
	private String smooth = "";

	@Parameter(label = "Spline degrees of freedom", min = "1", max = "10",
		description = "columns per smooth covariate; knots at quantiles")
	private int smooth_df = 4;

	@Parameter(label = "Brain mask (NIfTI)", required = false, style = FileWidget.OPEN_STYLE,
		description = "voxels to harmonise; without one, voxels zero in every image are left out")
	private File mask;

	@Parameter(label = "Reference site", required = false,
		description = "leave this site unchanged and map the others onto it")
	private String ref_batch = "";

	@Parameter(label = "Site-effect maps",
		description = "test site effects before and after, into site_effects/ (see Site Effect Maps)")
	private boolean site_effects;

	@Parameter(label = "Covariate of interest", required = false,
		description = "one of the covariates, mapped before and after (with site-effect maps)")
	private String interest = "";

	@Parameter(label = "FDR level q", description = "false discovery rate of the site-effect maps")
	private double q = SiteEffectMaps.DEFAULT_Q;

	@Parameter(label = "Write a report",
		description = "report.html in the output folder (implies site-effect maps)")
	private boolean report;

	@Parameter(label = "Out of core (chunked)", description = "keep the masked images in " +
		"temporary block files in the output folder instead of memory; automatic when they would " +
		"take more than 60% of the maximum heap. Same results.")
	private boolean chunked;

	@Parameter(label = "Outside the mask", choices = { "copy", "zero" }, description = "copy: " +
		"the input's values outside the mask, bit for bit; zero: 0 there, so nothing outside the " +
		"mask is kept or read again and the background compresses (docs/scaling.md)")
	private String outside_mask = "copy";

	@Parameter(label = "No difference images", description = "leave out difference/ " +
		"(harmonised - original): up to half of the images written")
	private boolean no_difference;

	@Parameter(label = "Output folder", style = FileWidget.DIRECTORY_STYLE,
		description = "a new or empty folder")
	private File out;

	@Parameter(type = ItemIO.OUTPUT)
	private String summary;

	/** Recorded in run.json's invocation beside its options text, not in it (as always). */
	private static final Set<String> APART = Set.of("site_effects", "interest", "q", "report",
		"chunked", "outside_mask", "no_difference", "no_diagnostics");

	/** Ends run.json's options text, after the method's own options (as always). */
	private static final String LAST_OPTION = "ref_batch";

	/** @return the subcommand name, for run.json */
	abstract String commandName();

	/**
	 * The request of the method, with its options.
	 *
	 * @param refBatch the reference site, or null
	 */
	abstract VoxelwiseHarmonisation.Builder request(Path manifest, CohortSpec spec, Path out,
		String refBatch);

	/**
	 * @param parameters the command's parameters ({@link CommandSupport#parameters})
	 * @return them as run.json records them (by default unchanged)
	 */
	Map<String, Object> recorded(final Map<String, Object> parameters) {
		return parameters;
	}

	@Override
	public void run() {
		summary = CommandSupport.run(this, log, status, () -> {
			CommandSupport.require(manifest, "manifest", "the cohort manifest (CSV)");
			CommandSupport.require(out, "out", "a new or empty output folder");
			final CohortSpec spec = CohortRequests.spec(batch, covariates, categorical).smooth(
				CommandSupport.list(smooth)).smoothDf(smooth_df);
			final VoxelwiseHarmonisation.Builder r = request(manifest.toPath(), spec, out.toPath(),
				CommandSupport.blankToNull(ref_batch));
			// the report reads the site-effect maps, so it implies them
			final boolean siteMaps = site_effects || report;
			if (siteMaps) r.siteEffects(CommandSupport.blankToNull(interest), q);
			if (report) r.report(CohortRequests.REPORT);
			final VoxelwiseHarmonisation.Request request = r.mask(CohortRequests.pathOrNull(mask))
				.chunked(chunked).outsideMask(OutsideMask.parse(outside_mask)).difference(
					!no_difference).invocation(invocation(siteMaps)).build();
			final String s = VoxelwiseHarmonisation.run(request, CommandSupport.progress(status),
				CommandSupport.messages(status, log), CommandSupport.canceled(this)).summary();
			log.info(s);
			return s;
		});
	}

	// -- Helper methods --

	/**
	 * run.json's invocation: the command, the files, the options text of the other parameters
	 * (the reference site last), then those recorded apart; site_effects says whether the maps
	 * were made (the report implies them), interest is "" for none.
	 */
	private Map<String, Object> invocation(final boolean siteMaps) {
		final Map<String, Object> parameters = recorded(CommandSupport.parameters(this));
		final Set<String> files = CommandSupport.fileParameters(this);
		final Map<String, Object> invocation = new LinkedHashMap<>();
		final Map<String, Object> options = new LinkedHashMap<>(), apart = new LinkedHashMap<>();
		invocation.put("command", commandName());
		for (final Map.Entry<String, Object> e : parameters.entrySet()) {
			if (files.contains(e.getKey())) invocation.put(e.getKey(), e.getValue());
			else if (APART.contains(e.getKey())) apart.put(e.getKey(), e.getValue());
			else if (!e.getKey().equals(LAST_OPTION)) options.put(e.getKey(), e.getValue());
		}
		options.put(LAST_OPTION, parameters.get(LAST_OPTION));
		invocation.put("options", CommandSupport.optionsText(options));
		apart.put("site_effects", siteMaps);
		apart.put("interest", interest == null ? "" : interest);
		invocation.putAll(apart);
		return invocation;
	}
}
