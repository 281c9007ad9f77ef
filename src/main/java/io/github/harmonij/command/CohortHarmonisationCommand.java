// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;
import org.scijava.widget.FileWidget;

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

	@Parameter(label = "Output folder", style = FileWidget.DIRECTORY_STYLE,
		description = "a new or empty folder")
	private File out;

	@Parameter(type = ItemIO.OUTPUT)
	private String summary;

	/** @return the subcommand name, for run.json */
	abstract String commandName();

	/**
	 * Sets the method and its options on the request.
	 *
	 * @param refBatch the reference site, or null
	 * @return the method's options as text, for run.json
	 */
	abstract String configure(VoxelwiseHarmonisation.Request r, String refBatch);

	@Override
	public void run() {
		summary = CommandSupport.run(this, log, status, () -> {
			CommandSupport.require(manifest, "manifest", "the cohort manifest (CSV)");
			CommandSupport.require(out, "out", "a new or empty output folder");
			final VoxelwiseHarmonisation.Request r = CohortRequests.request(manifest, batch,
				covariates, categorical, mask, out, commandName());
			r.spec = r.spec.smooth(CommandSupport.list(smooth)).smoothDf(smooth_df);
			final String method = configure(r, CommandSupport.blankToNull(ref_batch));
			r.invocation.put("options", "batch=" + batch + " covariates=" + covariates +
				" categorical=" + categorical + " smooth=" + smooth + " smooth_df=" + smooth_df +
				(method.isEmpty() ? "" : " " + method) + " ref_batch=" + ref_batch);
			CohortRequests.evidence(r, site_effects, report, interest, q);
			r.chunked = chunked;
			r.invocation.put("chunked", chunked);
			final String s = VoxelwiseHarmonisation.run(r, CommandSupport.progress(status),
				CommandSupport.messages(status, log), CommandSupport.canceled(this)).summary();
			log.info(s);
			return s;
		});
	}
}
