// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Attr;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

import io.github.harmonij.pipeline.SiteEffectMaps;

/**
 * Voxelwise maps of site effects in a cohort: per voxel the F test of site given the covariates,
 * the Brown-Forsythe test of equal variance across sites, and optionally the t (or F) of a
 * covariate of interest, with FDR maps and a summary. Macro:
 * {@code run("Site Effect Maps...", "manifest=[/d/cohort.csv] batch=site covariates=[age,sex] categorical=[sex] mask=[/d/mask.nii.gz] q=0.05 interest=age out=[/d/effects]");}
 * Command line: {@code harmonij site-effects --manifest /d/cohort.csv --batch site ...}.
 */
@Plugin(type = Command.class, headless = true, label = "Site Effect Maps...",
	description = "Voxelwise F maps of site effects (and of a covariate of interest) with FDR",
	attrs = { @Attr(name = Commands.LABEL, value = "Site Effect Maps..."), @Attr(
		name = Commands.CLI, value = "site-effects") })
public class SiteEffectMapsCommand extends ContextCommand {

	@Parameter
	private LogService log;

	@Parameter
	private StatusService status;

	@Parameter(label = "Cohort manifest (CSV)", style = FileWidget.OPEN_STYLE,
		description = "one row per image: image path, site column, covariates")
	private File manifest;

	@Parameter(label = "Site column", description = "manifest column with the site or scanner")
	private String batch = "site";

	@Parameter(label = "Covariates", required = false,
		description = "comma-separated manifest columns in both models, e.g. age,sex")
	private String covariates = "";

	@Parameter(label = "Categorical covariates", required = false,
		description = "those of the covariates that are categories, e.g. sex,group")
	private String categorical = "";

	@Parameter(label = "Brain mask (NIfTI)", required = false, style = FileWidget.OPEN_STYLE,
		description = "voxels to test; without one, voxels zero in every image are left out")
	private File mask;

	@Parameter(label = "FDR level q", description = "Benjamini-Hochberg false discovery rate")
	private double q = SiteEffectMaps.DEFAULT_Q;

	@Parameter(label = "Covariate of interest", required = false,
		description = "one of the covariates, mapped as t (or F if categorical with 3+ levels)")
	private String interest = "";

	@Parameter(label = "Write a report", description = "report.html in the output folder")
	private boolean report;

	@Parameter(label = "Output folder", style = FileWidget.DIRECTORY_STYLE,
		description = "a new or empty folder")
	private File out;

	@Parameter(type = ItemIO.OUTPUT)
	private String summary;

	@Override
	public void run() {
		summary = CommandSupport.run(this, log, status, () -> {
			CommandSupport.require(manifest, "manifest", "the cohort manifest (CSV)");
			CommandSupport.require(out, "out", "a new or empty output folder");
			SiteEffectMaps.Request r = SiteEffectMaps.Request.of(manifest.toPath(), CohortRequests
				.spec(batch, covariates, categorical), out.toPath()).mask(CohortRequests.pathOrNull(mask))
				.interest(CommandSupport.blankToNull(interest), q).invocation(invocation());
			if (report) r = r.report(CohortRequests.REPORT);
			final String s = SiteEffectMaps.run(r, CommandSupport.progress(status),
				CommandSupport.messages(status, log), CommandSupport.canceled(this));
			log.info(s);
			return s;
		});
	}

	// -- Helper methods --

	/**
	 * run.json's invocation: the command and the options text of its parameters but the files
	 * and the report (run.json names the manifest and the mask itself, as always).
	 */
	private Map<String, Object> invocation() {
		final Map<String, Object> options = CommandSupport.parameters(this);
		options.keySet().removeAll(CommandSupport.fileParameters(this));
		options.remove("report");
		final Map<String, Object> invocation = new LinkedHashMap<>();
		invocation.put("command", "site-effects");
		invocation.put("options", CommandSupport.optionsText(options));
		return invocation;
	}
}
