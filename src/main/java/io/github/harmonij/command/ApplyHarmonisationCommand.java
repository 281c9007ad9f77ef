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

/**
 * Harmonises new NIfTI images with a model saved by a voxelwise run (its {@code model/} folder):
 * subjects of the model's sites, each with its own covariates. Macro:
 * {@code run("Apply Saved Harmonisation...", "model=[/d/out/model] manifest=[/d/new.csv] out=[/d/applied]");}
 * Command line: {@code harmonij apply --model /d/out/model --manifest /d/new.csv --out /d/applied}.
 */
@Plugin(type = Command.class, headless = true, label = "Apply Saved Harmonisation...",
	description = "Harmonise new NIfTI images with a saved voxelwise model (OUT/model)",
	attrs = { @Attr(name = Commands.LABEL, value = "Apply Saved Harmonisation..."), @Attr(
		name = Commands.CLI, value = "apply") })
public class ApplyHarmonisationCommand extends ContextCommand {

	@Parameter
	private LogService log;

	@Parameter
	private StatusService status;

	@Parameter(label = "Saved model (folder)", style = FileWidget.DIRECTORY_STYLE,
		description = "the model folder of a combat or regress run (OUT/model)")
	private File model;

	@Parameter(label = "Manifest of new images (CSV)", style = FileWidget.OPEN_STYLE,
		description = "one row per image: image path, the model's site column and covariates")
	private File manifest;

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
		description = "a new or empty folder")
	private File out;

	@Parameter(type = ItemIO.OUTPUT)
	private String summary;

	@Override
	public void run() {
		summary = CommandSupport.run(this, log, status, () -> {
			CommandSupport.require(model, "model", "the saved model folder (OUT/model)");
			CommandSupport.require(manifest, "manifest", "the manifest of the new images (CSV)");
			CommandSupport.require(out, "out", "a new or empty output folder");
			final VoxelwiseHarmonisation.ApplyRequest r = VoxelwiseHarmonisation.ApplyRequest.of(
				model.toPath(), manifest.toPath(), out.toPath()).clamp(clamp).outputs(!no_difference,
					OutsideMask.parse(outside_mask)).invocation(CommandSupport.invocation("apply", this));
			final String s = VoxelwiseHarmonisation.apply(r, CommandSupport.progress(status),
				CommandSupport.messages(status, log), CommandSupport.canceled(this)).summary();
			log.info(s);
			return s;
		});
	}
}
