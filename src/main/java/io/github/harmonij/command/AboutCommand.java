// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.command.ContextCommand;
import org.scijava.plugin.Attr;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;

import io.github.harmonij.io.Version;

/**
 * Says which HarmonIJ this is and where its documentation is. Macro:
 * {@code run("About HarmonIJ");}
 */
@Plugin(type = Command.class, headless = true, label = "About HarmonIJ",
	description = "Version, methods and documentation of HarmonIJ",
	attrs = { @Attr(name = Commands.LABEL, value = "About HarmonIJ"), @Attr(name = Commands.CLI,
		value = "about") })
public class AboutCommand extends ContextCommand {

	@Parameter(type = ItemIO.OUTPUT)
	private String summary;

	@Override
	public void run() {
		summary = about();
	}

	/** @return the about text: version, methods, references */
	public static String about() {
		return "HarmonIJ " + Version.get() + ": multi-site brain MRI harmonisation for ImageJ/Fiji.\n" +
			"Methods: ComBat (Johnson et al. 2007, Biostatistics 8:118; Fortin et al. 2017, " +
			"NeuroImage 161:149; Fortin et al. 2018, NeuroImage 167:104) with parametric, " +
			"non-parametric or no empirical Bayes, mean-only and reference-site variants, and " +
			"linear site adjustment (least squares). Numbers match R sva::ComBat.\n" +
			"Documentation: docs/ in the HarmonIJ distribution; commands: harmonij --help.";
	}
}
