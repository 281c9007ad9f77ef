// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import java.util.Locale;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.io.OpenDialog;
import ij.plugin.PlugIn;
import io.github.harmonij.core.InputException;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.io.UserPaths;

/**
 * File &gt; Import &gt; Open NIfTI...: opens a NIfTI-1/NIfTI-2 image ({@code .nii},
 * {@code .nii.gz}, {@code .hdr}/{@code .img} pairs) as a calibrated 32-bit stack or hyperstack, see
 * {@link NiftiImagePlus} for orientation and calibration.
 * <p>
 * Macro: {@code run("Open NIfTI...", "open=[/data/sub-001_T1w.nii.gz]");} (no dialog when the path
 * is given), or, also headless, {@code call("io.github.harmonij.ij1.ImportNifti.show",
 * "/data/sub-001_T1w.nii.gz");}, which returns the window title or an error message.
 * Java/scripts: {@link #open(String)} returns the ImagePlus without showing it.
 */
public class ImportNifti implements PlugIn {

	@Override
	public void run(final String arg) {
		String path = null;
		final String options = Macro.getOptions();
		if (options != null) path = Macro.getValue(options, "open", null);
		if ((path == null || path.isEmpty()) && arg != null && !arg.isEmpty()) path = arg;
		if (path == null || path.isEmpty()) {
			if (GraphicsEnvironment.isHeadless()) {
				IJ.error("Open NIfTI", "No file given. In a macro use: run(\"Open NIfTI...\", " +
					"\"open=[/path/to/image.nii.gz]\");");
				return;
			}
			final OpenDialog od = new OpenDialog("Open NIfTI...");
			if (od.getFileName() == null) return; // canceled
			path = od.getPath();
		}
		try {
			final ImagePlus imp = open(path);
			imp.show();
		}
		catch (final InputException e) {
			IJ.error("Open NIfTI", e.getMessage());
		}
	}

	/**
	 * Reads a NIfTI file into an ImagePlus (not shown).
	 *
	 * @throws InputException if the file cannot be read; the message names it
	 */
	public static ImagePlus open(final String path) {
		final Path p = UserPaths.of("open=", path);
		return NiftiImagePlus.toImagePlus(NiftiIO.read(p), title(p));
	}

	/**
	 * For macros' {@code call()}: opens and shows a NIfTI file.
	 *
	 * @return the window title, or the error message starting with "Error: "
	 */
	public static String show(final String path) {
		try {
			final ImagePlus imp = open(path);
			imp.show();
			return imp.getTitle();
		}
		catch (final InputException e) {
			return "Error: " + e.getMessage();
		}
	}

	/** @return the file name without .nii/.hdr/.img and .gz */
	static String title(final Path p) {
		String n = p.getFileName().toString();
		final String l = n.toLowerCase(Locale.ROOT);
		if (l.endsWith(".gz")) n = n.substring(0, n.length() - 3);
		final String l2 = n.toLowerCase(Locale.ROOT);
		if (l2.endsWith(".nii") || l2.endsWith(".hdr") || l2.endsWith(".img"))
			n = n.substring(0, n.length() - 4);
		return n;
	}
}
