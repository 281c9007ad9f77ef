// SPDX-License-Identifier: MIT
package io.github.harmonij.display;

import java.nio.file.Path;

/** Opens HarmonIJ's results in ImageJ 1.x. */
public final class ResultViewer {

	private ResultViewer() {}

	/** Opens the demo's cohort and results in an ImageJ window. */
	public static void showDemo(final Path dir) {
		throw new UnsupportedOperationException("display lands with the NIfTI reader");
	}
}
