// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import java.io.File;

import org.scijava.ItemIO;
import org.scijava.app.StatusService;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Attr;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.scijava.widget.FileWidget;

import io.github.harmonij.pipeline.OutsideMask;
import io.github.harmonij.pipeline.VoxelwiseHarmonisation;
import io.github.harmonij.pipeline.VoxelwiseSiteAddition;

/**
 * Adds a new site to a saved voxelwise model without changing the old sites' parameters, and
 * harmonises the new site's images (docs/models.md). Macro:
 * {@code run("Add Site to Saved Model...", "model=[/d/out/model] manifest=[/d/new_site.csv] out=[/d/added]");}
 * Command line: {@code harmonij add-site --model /d/out/model --manifest /d/new_site.csv --out /d/added}.
 */
@Plugin(type = Command.class, headless = true, label = "Add Site to Saved Model...",
	description = "Fit a new site against a saved voxelwise model (old sites unchanged) and " +
		"harmonise its images",
	attrs = { @Attr(name = Commands.LABEL, value = "Add Site to Saved Model..."), @Attr(
		name = Commands.CLI, value = "add-site") })
public class AddSiteCommand extends ContextCommand {

	@Parameter
	private LogService log;

	@Parameter
	private StatusService status;

	@Parameter(label = "Saved model (folder)", style = FileWidget.DIRECTORY_STYLE,
		description = "the model folder of a combat or regress run (OUT/model)")
	private File model;

	@Parameter(label = "Manifest of the new site (CSV)", style = FileWidget.OPEN_STYLE,
		description = "one row per image of one new site: image path, the model's site column " +
			"and covariates")
	private File manifest;

	@Parameter(label = "Empirical Bayes", choices = { "model", "parametric", "nonparametric",
		"none" }, description = "model: the mode the model was fitted with")
	private String eb = "model";

	@Parameter(label = "Clamp smooth covariates", description = "values outside the training " +
		"range of a smooth covariate are clamped to it (with a warning) instead of an error")
	private boolean clamp;

	@Parameter(label = "Outside the mask", choices = { "copy", "zero" }, description = "copy: " +
		"the input's values outside the mask, bit for bit; zero: 0 there, so nothing outside the " +
		"mask is kept or read again and the background compresses (docs/scaling.md)")
	private String outside_mask = "copy";

	@Parameter(label = "No difference images", description = "leave out difference/ " +
		"(harmonised - original): up to half of the images written")
	private boolean no_difference;

	@Parameter(label = "Output folder", style = FileWidget.DIRECTORY_STYLE,
		description = "a new or empty folder: model/ (the extended model) and the harmonised images")
	private File out;

	@Parameter(type = ItemIO.OUTPUT)
	private String summary;

	@Override
	public void run() {
		summary = CommandSupport.run(this, log, status, () -> {
			CommandSupport.require(model, "model", "the saved model folder (OUT/model)");
			CommandSupport.require(manifest, "manifest", "the manifest of the new site (CSV)");
			CommandSupport.require(out, "out", "a new or empty output folder");
			final VoxelwiseSiteAddition.Request r = VoxelwiseSiteAddition.Request.of(
				VoxelwiseHarmonisation.ApplyRequest.of(model.toPath(), manifest.toPath(), out.toPath())
					.clamp(clamp).outputs(!no_difference, OutsideMask.parse(outside_mask))
					.invocation(CommandSupport.invocation("add-site", this)),
				CommandSupport.ebOrModel(eb));
			final String s = VoxelwiseSiteAddition.run(r, CommandSupport.progress(status),
				CommandSupport.messages(status, log), CommandSupport.canceled(this));
			log.info(s);
			return s;
		});
	}
}
