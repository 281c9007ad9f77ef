// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ij.ImagePlus;
import ij.measure.Calibration;
import io.github.harmonij.core.InputException;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.io.NiftiImage;

/** NiftiImage to ImagePlus and back: exact data and geometry, expected calibration. */
class NiftiImagePlusTest {

	/** Calibrated coordinates are double arithmetic on exact inputs. */
	private static final double CAL_TOL = 1e-9;

	@TempDir
	Path tmp;

	private static Path conformance(final String relative) {
		try {
			return Paths.get(NiftiImagePlusTest.class.getResource("/nifti-conformance/" +
				relative).toURI());
		}
		catch (final URISyntaxException e) {
			throw new IllegalStateException(e);
		}
	}

	/** The standard MNI 2 mm box: 91x109x91, diag(2,2,2), origin (-90,-126,-72), RAS. */
	private static NiftiImage mni2mm(final int nVolumes) {
		final double[][] srow = { { 2, 0, 0, -90 }, { 0, 2, 0, -126 }, { 0, 0, 2, -72 } };
		final NiftiHeader h = NiftiHeader.builder().size(91, 109, 91, nVolumes)
			.pixdim(new double[] { 1, 2, 2, 2, 2.5, 1, 1, 1 }).xyztUnits(2 | 8)
			.qformCode(4).sformCode(4).quatern(new double[3], new double[] { -90, -126, -72 })
			.srow(srow).descrip("MNI 2 mm test grid").build();
		final float[] data = new float[91 * 109 * 91 * nVolumes];
		final Random r = new Random(42);
		for (int i = 0; i < data.length; i++)
			data[i] = r.nextFloat() * 100;
		data[7] = Float.NaN;
		return new NiftiImage(h, data);
	}

	@Test
	void mniCalibrationMapsPixelsToWorld() {
		final NiftiImage img = mni2mm(1);
		final ImagePlus imp = NiftiImagePlus.toImagePlus(img, "mni");
		assertEquals(32, imp.getBitDepth());
		assertEquals(91, imp.getWidth());
		assertEquals(109, imp.getHeight());
		assertEquals(91, imp.getNSlices());
		final Calibration cal = imp.getCalibration();
		assertEquals(2, cal.pixelWidth);
		assertEquals(2, cal.pixelHeight);
		assertEquals(2, cal.pixelDepth);
		assertEquals("mm", cal.getUnit());
		// Voxel (45, 63, 36) is world (0, 0, 0). y is flipped: NIfTI row 63 is ImageJ row 45.
		assertEquals(45, cal.xOrigin, CAL_TOL);
		assertEquals(45, cal.yOrigin, CAL_TOL);
		assertEquals(36, cal.zOrigin, CAL_TOL);
		assertTrue(cal.getInvertY(), "y grows upwards, like world y");
		assertEquals(0, cal.getX(45), CAL_TOL);
		assertEquals(0, cal.getY(108 - 63, imp.getHeight()), CAL_TOL);
		assertEquals(0, cal.getZ(36), CAL_TOL);
		// Any voxel: ImageJ calibrated coordinates are the world coordinates of the affine.
		final int i = 10, j = 80, k = 20;
		assertEquals(-90 + 2 * i, cal.getX(i), CAL_TOL);
		assertEquals(-126 + 2 * j, cal.getY(108 - j, imp.getHeight()), CAL_TOL);
		assertEquals(-72 + 2 * k, cal.getZ(k), CAL_TOL);
		// Pixel (x, row) of slice k holds NIfTI voxel (x, ny-1-row, k).
		imp.setSlice(k + 1);
		final float expected = img.data()[i + 91 * (j + 109 * k)];
		assertEquals(expected, imp.getProcessor().getf(i, 108 - j));
		assertSame(img.header(), imp.getProperty(NiftiImagePlus.HEADER_PROPERTY));
		assertTrue(imp.getDisplayRangeMax() > 99 && imp.getDisplayRangeMin() < 1,
			"display range over finite values");
	}

	@Test
	void roundTripIsExactWithStoredHeader() {
		for (final NiftiImage img : new NiftiImage[] { mni2mm(1), mni2mm(2),
			NiftiIO.read(conformance("derived/las_flipped.nii.gz")),
			NiftiIO.read(conformance("derived/oblique_qform_only_qfac-1.nii.gz")),
			NiftiIO.read(conformance("nibabel/example4d.nii.gz")) })
		{
			final ImagePlus imp = NiftiImagePlus.toImagePlus(img, "t");
			assertEquals(img.nVolumes(), imp.getNFrames());
			final NiftiImage back = NiftiImagePlus.fromImagePlus(imp);
			assertArrayEquals(img.data(), back.data(), img.toString());
			assertSame(img.header(), back.header());
		}
	}

	@Test
	void headerFromCalibrationRecoversTheMniAffine() {
		final NiftiImage img = mni2mm(2);
		final ImagePlus imp = NiftiImagePlus.toImagePlus(img, "mni");
		imp.setProperty(NiftiImagePlus.HEADER_PROPERTY, null);
		final NiftiImage back = NiftiImagePlus.fromImagePlus(imp);
		assertArrayEquals(img.data(), back.data());
		final NiftiHeader h = back.header();
		assertEquals(null, img.header().gridDifference(h));
		assertEquals(2, h.sformCode());
		assertEquals(2, h.qformCode());
		assertEquals("mm", h.spatialUnit());
		assertEquals("s", h.timeUnit());
		assertEquals(2.5, h.pixdim()[4], 0);
		assertEquals(2, h.nVolumes());
		for (int r = 0; r < 3; r++)
			assertArrayEquals(img.header().affine()[r], h.qformAffine()[r], CAL_TOL, "qform");
	}

	@Test
	void saveAndImportPluginsRoundTripAndNeverOverwrite() throws Exception {
		final Path src = conformance("derived/tpm_gm_wm_csf_4d.nii.gz");
		final ImagePlus imp = ImportNifti.open(src.toString());
		assertEquals("tpm_gm_wm_csf_4d", imp.getTitle());
		assertEquals(3, imp.getNFrames());
		final Path out = tmp.resolve("copy.nii.gz");
		assertEquals(out.toString(), SaveNifti.save(imp, out.toString()));
		final NiftiImage a = NiftiIO.read(src), b = NiftiIO.read(out);
		assertArrayEquals(a.data(), b.data());
		for (int r = 0; r < 3; r++)
			assertArrayEquals(a.header().affine()[r], b.header().affine()[r], 0);
		final byte[] before = Files.readAllBytes(out);
		final InputException e = assertThrows(InputException.class, () -> SaveNifti.save(imp,
			out.toString()));
		assertTrue(e.getMessage().startsWith(out + " already exists"), e.getMessage());
		assertArrayEquals(before, Files.readAllBytes(out));
		assertTrue(ImportNifti.show(tmp.resolve("missing.nii").toString()).startsWith("Error: "));
	}
}
