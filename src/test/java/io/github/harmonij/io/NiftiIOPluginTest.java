// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.scijava.io.location.FileLocation;

import io.github.harmonij.core.InputException;

/** The SciJava IOPlugin opens and saves by file name and never overwrites. */
class NiftiIOPluginTest {

	@TempDir
	Path tmp;

	@Test
	void opensAndSavesByName() throws Exception {
		final NiftiIOPlugin plugin = new NiftiIOPlugin();
		final Path src = NiftiConformanceTest.resourceRoot().resolve(
			"nifti-conformance/derived/nifti1_pair.hdr");
		assertTrue(plugin.supportsOpen(new FileLocation(src.toFile())));
		assertFalse(plugin.supportsOpen(new FileLocation(tmp.resolve("x.tif").toFile())));
		assertTrue(plugin.supportsSave(new FileLocation(tmp.resolve("x.nii.gz").toFile())));
		assertFalse(plugin.supportsSave(new FileLocation(tmp.resolve("x.hdr").toFile())));
		final NiftiImage img = plugin.open(new FileLocation(src.toFile()));
		final FileLocation out = new FileLocation(tmp.resolve("x.nii.gz").toFile());
		plugin.save(img, out);
		assertArrayEquals(img.data(), NiftiIO.read(out.getFile().toPath()).data());
		assertThrows(InputException.class, () -> plugin.save(img, out));
	}
}
