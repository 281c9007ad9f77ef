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

import io.github.harmonij.pipeline.CohortSimulation;

/**
 * Writes a synthetic multi-site cohort on the ICBM152 template, with its ground truth. Macro:
 * {@code run("Simulate Multi-site Cohort...", "out=[/d/sim] subjects=60 sites=3 seed=1 resolution=2");}
 * Command line: {@code harmonij simulate --out /d/sim}.
 */
@Plugin(type = Command.class, headless = true, label = "Simulate Multi-site Cohort...",
	description = "Synthetic grey-matter maps from several sites, with known site effects",
	attrs = { @Attr(name = Commands.LABEL, value = "Simulate Multi-site Cohort..."), @Attr(
		name = Commands.CLI, value = "simulate") })
public class SimulateCohortCommand extends ContextCommand {

	@Parameter
	private LogService log;

	@Parameter
	private StatusService status;

	@Parameter(label = "Output folder", style = FileWidget.DIRECTORY_STYLE,
		description = "a new or empty folder")
	private File out;

	@Parameter(label = "Subjects", min = "4", description = "at least 2 per site")
	private int subjects = 60;

	@Parameter(label = "Sites", min = "2", max = "26", description = "named SiteA, SiteB, ...")
	private int sites = 3;

	@Parameter(label = "Seed", description = "the same seed gives the same cohort")
	private long seed = 1;

	@Parameter(label = "Resolution (mm)", choices = { "2", "1" },
		description = "voxel size of the images; 1 mm gives 8 times the voxels of 2 mm")
	private String resolution = "2";

	@Parameter(type = ItemIO.OUTPUT)
	private String summary;

	@Override
	public void run() {
		summary = CommandSupport.run(this, log, status, () -> {
			CommandSupport.require(out, "out", "a new or empty output folder");
			status.showStatus("Simulating " + subjects + " subjects");
			final String s = CohortSimulation.write(out.toPath(), subjects, sites, seed, Integer
				.parseInt(resolution), CommandSupport.progress(status), CommandSupport.canceled(this));
			log.info(s);
			return s;
		});
	}
}
