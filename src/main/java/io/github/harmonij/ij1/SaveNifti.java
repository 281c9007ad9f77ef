// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import java.awt.GraphicsEnvironment;
import java.util.Locale;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.io.SaveDialog;
import ij.plugin.PlugIn;
import io.github.harmonij.core.InputException;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.io.NiftiImage;
import io.github.harmonij.io.UserPaths;

/**
 * File &gt; Save As &gt; Save NIfTI...: saves the current image as float32 NIfTI ({@code .nii.gz},
 * or {@code .nii} if the name says so). An image opened with {@link ImportNifti} keeps its exact
 * geometry; others get a header from their calibration ({@link NiftiImagePlus}). Never
 * overwrites: if the file exists, nothing is written and an error names it.
 * <p>
 * Macro: {@code run("Save NIfTI...", "save=[/out/sub-001_harmonised.nii.gz]");} or, also headless,
 * {@code call("io.github.harmonij.ij1.SaveNifti.saveCurrent", "/out/x.nii.gz");}, which returns
 * the path or an error message.
 */
public class SaveNifti implements PlugIn {

	@Override
	public void run(final String arg) {
		final ImagePlus imp = WindowManager.getCurrentImage();
		if (imp == null) {
			IJ.noImage();
			return;
		}
		String path = null;
		final String options = Macro.getOptions();
		if (options != null) path = Macro.getValue(options, "save", null);
		if (path == null || path.isEmpty()) {
			if (GraphicsEnvironment.isHeadless()) {
				IJ.error("Save NIfTI", "No file given. In a macro use: run(\"Save NIfTI...\", " +
					"\"save=[/path/to/output.nii.gz]\");");
				return;
			}
			final SaveDialog sd = new SaveDialog("Save NIfTI...", imp.getTitle(), ".nii.gz");
			if (sd.getFileName() == null) return; // canceled
			path = sd.getDirectory() + sd.getFileName();
		}
		try {
			save(imp, path);
			IJ.showStatus("Saved " + path);
		}
		catch (final InputException e) {
			IJ.error("Save NIfTI", e.getMessage());
		}
	}

	/**
	 * Saves an image as float32 NIfTI. A name without .nii or .nii.gz gets .nii.gz appended.
	 *
	 * @return the path written
	 * @throws InputException if the file exists (nothing is written), or the image cannot be
	 *           saved as NIfTI
	 */
	public static String save(final ImagePlus imp, final String path) {
		final String lower = path.toLowerCase(Locale.ROOT);
		final String target = lower.endsWith(".nii") || lower.endsWith(".nii.gz") ? path :
			path + ".nii.gz";
		final NiftiImage img = NiftiImagePlus.fromImagePlus(imp);
		NiftiIO.write(UserPaths.of("save=", target), img.header(), img.data(), img.nVolumes());
		return target;
	}

	/**
	 * For macros' {@code call()}: saves the current image.
	 *
	 * @return the path written, or the error message starting with "Error: "
	 */
	public static String saveCurrent(final String path) {
		final ImagePlus imp = WindowManager.getCurrentImage();
		if (imp == null) return "Error: no image is open.";
		try {
			return save(imp, path);
		}
		catch (final InputException e) {
			return "Error: " + e.getMessage();
		}
	}
}
