// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.core.ScanComparison;

/** How Compare Two Scans names its two scans, and what its summary line says. */
class ScanPairTest {

	@TempDir
	Path tmp;

	@Test
	void namesAreTheShortestEndsOfThePathsThatDiffer() {
		assertArrayEquals(new String[] { "siteA.nii.gz", "siteB.nii.gz" }, ScanPair.names(Path.of(
			"/d/x/siteA.nii.gz"), Path.of("/d/y/siteB.nii.gz")));
		assertArrayEquals(new String[] { "truth/sub-001.nii.gz", "images/sub-001.nii.gz" }, ScanPair
			.names(Path.of("/d/cohort/truth/sub-001.nii.gz"), Path.of(
				"/d/cohort/images/sub-001.nii.gz")));
		assertArrayEquals(new String[] { "a/s/t1.nii", "b/s/t1.nii" }, ScanPair.names(Path.of(
			"/d/a/s/t1.nii"), Path.of("/d/b/s/t1.nii")));
		// one path inside the other's folder: the shorter one is named from its root
		assertArrayEquals(new String[] { "/t1.nii", "d/t1.nii" }, ScanPair.names(Path.of("/t1.nii"),
			Path.of("/d/t1.nii")));
		// one file twice
		assertArrayEquals(new String[] { "t1.nii", "t1.nii" }, ScanPair.names(Path.of("/d/t1.nii"),
			Path.of("/d/./t1.nii")));
	}

	@Test
	void summaryNamesTheScansAndThePercentage() throws Exception {
		final NiftiHeader h = NiftiHeader.builder().size(2, 2, 1, 1).build();
		final Path a = tmp.resolve("truth/sub-001.nii.gz");
		final Path b = tmp.resolve("images/sub-001.nii.gz");
		Files.createDirectories(a.getParent());
		Files.createDirectories(b.getParent());
		NiftiIO.write(a, h, new float[] { 1, 2, 3, 4 }, 1);
		NiftiIO.write(b, h, new float[] { 2, 2, 3, 4 }, 1);
		final ScanPair pair = ScanPair.read(a, b, null);
		final String s = pair.summary(ScanComparison.compare(pair.a().data(), pair.b().data(), null,
			() -> false));
		assertTrue(s.startsWith("Compared A = truth/sub-001.nii.gz and B = images/sub-001.nii.gz " +
			"over 4 voxels:"), s);
		// |B - A| is 1, 0, 0, 0; the percent difference of voxel 0 is 100 * 1 / 1.5
		assertTrue(s.contains("mean |B - A| 0.2500, mean |percent difference| 16.67 %,"), s);
	}
}
