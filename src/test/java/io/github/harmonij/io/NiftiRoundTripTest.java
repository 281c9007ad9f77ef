// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.github.harmonij.core.InputException;
import net.imglib2.img.array.ArrayImgs;

/** read, write, read again: same float bits, same geometry; and the writer's refusals. */
class NiftiRoundTripTest {

	@TempDir
	Path tmp;

	private static Path conformance(final String relative) {
		return NiftiConformanceTest.resourceRoot().resolve("nifti-conformance/" + relative);
	}

	/** float64 maps (saved models) come back with every bit: NaN, -0, subnormals, extremes. */
	@ParameterizedTest
	@ValueSource(strings = { "derived/ref_float32.nii", "derived/nifti2.nii.gz",
		"derived/tpm_gm_wm_csf_4d.nii.gz" })
	void float64WriteReadIsExact(final String file) throws IOException {
		final NiftiImage in = NiftiIO.read(conformance(file));
		final double[] data = new double[in.data().length];
		final java.util.Random rng = new java.util.Random(5);
		for (int i = 0; i < data.length; i++)
			data[i] = in.data()[i] + rng.nextGaussian() * 1e-9;
		data[0] = Double.NaN;
		data[1] = -0.0;
		data[2] = Double.MIN_VALUE;
		data[3] = -Double.MAX_VALUE;
		for (final String ext : new String[] { ".nii.gz", ".nii" }) {
			final Path out = tmp.resolve("f64" + ext);
			NiftiIO.writeFloat64(out, in.header(), data, in.nVolumes(), 1);
			final double[] back = NiftiIO.readDoubles(out);
			assertEquals(data.length, back.length);
			for (int i = 0; i < data.length; i++)
				assertEquals(Double.doubleToRawLongBits(data[i]), Double.doubleToRawLongBits(back[i]),
					file + " -> " + ext + " value " + i);
			final NiftiHeader h = NiftiIO.readHeader(out);
			assertEquals(NiftiHeader.DT_FLOAT64, h.datatype());
			assertEquals(64, h.bitpix());
			assertSameGeometry(in.header(), h, file + " -> " + ext);
			// the float32 readers still read it (rounded)
			assertEquals((float) data[5], NiftiIO.read(out).data()[5]);
			assertThrows(InputException.class, () -> NiftiIO.writeFloat64(out, in.header(), data, in
				.nVolumes(), 1), "never overwrites");
			final Path streamed = tmp.resolve("f64-streamed" + ext);
			final int vpv = (int) in.header().voxelsPerVolume();
			NiftiIO.writeFloat64(streamed, in.header(), (int) in.nVolumes(), (t, volume) -> System
				.arraycopy(data, t * vpv, volume, 0, vpv), 1);
			assertArrayEquals(Files.readAllBytes(out), Files.readAllBytes(streamed), file + " -> " +
				ext + ": volume by volume, the same bytes");
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "derived/ref_float32.nii", "derived/float32_bigendian.nii.gz",
		"derived/int16_slope_inter.nii.gz", "derived/uint8_slope.nii.gz", "derived/nifti2.nii.gz",
		"derived/nifti1_pair.hdr", "derived/nifti2_pair.hdr", "derived/tpm_gm_wm_csf_4d.nii.gz",
		"derived/oblique_qform_only_qfac-1.nii.gz", "derived/float32_nan_background.nii.gz",
		"derived/with_extension.nii.gz", "derived/dim4_singleton.nii.gz",
		"nibabel/example_nifti2.nii.gz", "nibabel/functional.nii", "nibabel/anatomical.nii",
		"nifti-reader-js/5D_small.nii", "nifti-reader-js/air2.hdr.gz",
		"nifti-rs/datatypes/uint64.nii", "nifti-rs/minimal.hdr.gz",
		"nifti-rs/minimal_extended_hdr.nii" })
	void readWriteReadIsExact(final String file) {
		final NiftiImage in = NiftiIO.read(conformance(file));
		for (final String ext : new String[] { ".nii.gz", ".nii" }) {
			final Path out = tmp.resolve("out" + ext);
			NiftiIO.write(out, in.header(), in.data(), in.nVolumes());
			final NiftiImage back = NiftiIO.read(out);
			assertBitsEqual(in.data(), back.data(), file + " -> " + ext);
			assertSameGeometry(in.header(), back.header(), file + " -> " + ext);
			final NiftiHeader h = back.header();
			assertEquals(NiftiHeader.DT_FLOAT32, h.datatype());
			assertEquals(32, h.bitpix());
			assertEquals(1, h.sclSlope());
			assertEquals(0, h.sclInter());
			assertTrue(h.littleEndian());
			assertEquals(in.header().version(), h.version(), "NIfTI version is kept");
			assertEquals(false, h.pair(), "always a single file");
			assertArrayEquals(in.dimensions(), back.dimensions());
		}
	}

	@Test
	void writerRefusesToOverwriteAndLeavesNoTemporaryFiles() throws IOException {
		final NiftiImage in = NiftiIO.read(conformance("derived/ref_float32.nii"));
		final Path out = tmp.resolve("sub-001_GM.nii.gz");
		NiftiIO.write(out, in.header(), in.data(), 1);
		final byte[] before = Files.readAllBytes(out);
		final float[] other = new float[in.data().length];
		final InputException e = assertThrows(InputException.class, () -> NiftiIO.write(out,
			in.header(), other, 1));
		assertEquals(out + " already exists; choose an empty output folder (nothing was " +
			"overwritten).", e.getMessage());
		assertArrayEquals(before, Files.readAllBytes(out), "the existing file is untouched");
		try (Stream<Path> s = Files.list(tmp)) {
			assertEquals(List.of("sub-001_GM.nii.gz"), s.map(p -> p.getFileName().toString())
				.collect(Collectors.toList()), "no temporary files left behind");
		}
		final InputException bad = assertThrows(InputException.class, () -> NiftiIO.write(tmp
			.resolve("x.tif"), in.header(), in.data(), 1));
		assertTrue(bad.getMessage().contains("x.tif"), bad.getMessage());
		final InputException noFolder = assertThrows(InputException.class, () -> NiftiIO.write(
			tmp.resolve("missing/x.nii"), in.header(), in.data(), 1));
		assertTrue(noFolder.getMessage().contains("does not exist"), noFolder.getMessage());
	}

	@Test
	void deflateLevelsAndImgLib2WriterGiveTheSameImage() {
		final NiftiImage in = NiftiIO.read(conformance("derived/tpm_gm_wm_csf_4d.nii.gz"));
		final Path fast = tmp.resolve("fast.nii.gz"), small = tmp.resolve("small.nii.gz");
		NiftiIO.write(fast, in.header(), in.data(), in.nVolumes(), 1);
		NiftiIO.write(small, in.header(), in.data(), in.nVolumes(), 9);
		final Path viaImg = tmp.resolve("img.nii.gz");
		NiftiIO.write(viaImg, in.header(), ArrayImgs.floats(in.data().clone(), in.dimensions()));
		for (final Path p : new Path[] { fast, small, viaImg })
			assertBitsEqual(in.data(), NiftiIO.read(p).data(), p.toString());
		// One volume of a 4-D geometry: dims become 3-D, geometry stays.
		final Path one = tmp.resolve("one.nii");
		NiftiIO.write(one, in.header(), NiftiIO.readVolume(conformance(
			"derived/tpm_gm_wm_csf_4d.nii.gz"), 1), 1);
		final NiftiHeader h = NiftiIO.readHeader(one);
		assertEquals(1, h.nVolumes());
		assertEquals(3, h.dim()[0]);
		assertNull(h.gridDifference(in.header()));
	}

	@Test
	void truncatedFilesFailWithCounts() throws IOException {
		final Path ref = conformance("derived/ref_float32.nii");
		final byte[] all = Files.readAllBytes(ref);
		final Path cut = tmp.resolve("cut.nii");
		Files.write(cut, Arrays.copyOf(all, 352 + 1000));
		final long need = 46L * 55 * 46 * 4;
		InputException e = assertThrows(InputException.class, () -> NiftiIO.read(cut));
		assertTrue(e.getMessage().startsWith(cut + " is truncated: expected " + need +
			" bytes of voxel data, found 1000"), e.getMessage());
		// The same, gzipped: the stream ends early.
		final Path cutGz = tmp.resolve("cut.nii.gz");
		try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(cutGz))) {
			out.write(all, 0, 352 + 1000);
		}
		e = assertThrows(InputException.class, () -> NiftiIO.read(cutGz));
		assertTrue(e.getMessage().startsWith(cutGz + " is truncated: expected " + need +
			" bytes of voxel data, found 1000"), e.getMessage());
		// A gzip stream cut in the middle of its compressed bytes.
		final Path good = tmp.resolve("good.nii.gz");
		NiftiIO.write(good, NiftiIO.readHeader(ref), NiftiIO.read(ref).data(), 1);
		final byte[] gz = Files.readAllBytes(good);
		final Path cutStream = tmp.resolve("cutstream.nii.gz");
		Files.write(cutStream, Arrays.copyOf(gz, gz.length / 2));
		e = assertThrows(InputException.class, () -> NiftiIO.read(cutStream));
		assertTrue(e.getMessage().startsWith(cutStream + " is truncated: expected " + need),
			e.getMessage());
	}

	@Test
	void damagedHeadersFailFast() throws IOException {
		final byte[] all = Files.readAllBytes(conformance("derived/ref_float32.nii"));
		// Huge dims in a tiny gzip file: refused before allocating anything large.
		final byte[] huge = all.clone();
		for (int i = 1; i <= 3; i++) {
			huge[40 + 2 * i] = (byte) 0xff;
			huge[41 + 2 * i] = 0x7f;
		}
		final Path hugeGz = tmp.resolve("huge.nii.gz");
		try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(hugeGz))) {
			out.write(huge);
		}
		InputException e = assertThrows(InputException.class, () -> NiftiIO.read(hugeGz));
		assertTrue(e.getMessage().contains("huge.nii.gz"), e.getMessage());
		// Negative size.
		final byte[] negative = all.clone();
		negative[42] = (byte) 0xfe;
		negative[43] = (byte) 0xff;
		final Path neg = tmp.resolve("neg.nii");
		Files.write(neg, negative);
		e = assertThrows(InputException.class, () -> NiftiIO.readHeader(neg));
		assertTrue(e.getMessage().contains("dim[1] = -2"), e.getMessage());
		// Not NIfTI at all.
		final Path text = tmp.resolve("notes.nii");
		Files.writeString(text, "hello, this is not an image but long enough to be read");
		e = assertThrows(InputException.class, () -> NiftiIO.read(text));
		assertTrue(e.getMessage().startsWith(text + " is not a NIfTI-1/NIfTI-2 file (sizeof_hdr " +
			"is "), e.getMessage());
		// Missing file.
		e = assertThrows(InputException.class, () -> NiftiIO.read(tmp.resolve("nope.nii.gz")));
		assertTrue(e.getMessage().contains("nope.nii.gz"), e.getMessage());
	}

	@Test
	void gridDifferenceDescribesTheProblem() {
		final NiftiHeader ref = NiftiIO.readHeader(conformance("derived/ref_float32.nii"));
		assertNull(ref.gridDifference(NiftiIO.readHeader(conformance("derived/nifti2.nii.gz"))));
		assertEquals("size 46x55x46 vs 128x96x24", ref.gridDifference(NiftiIO.readHeader(
			conformance("nibabel/example4d.nii.gz"))));
		final String shifted = ref.gridDifference(NiftiIO.readHeader(conformance(
			"derived/no_qform_no_sform.nii.gz")));
		assertNotNull(shifted);
		assertTrue(shifted.startsWith("affine differs (max "), shifted);
		assertEquals("mm", ref.spatialUnit());
		assertTrue(NiftiIO.isNifti(Path.of("a/B.NII.GZ")) && NiftiIO.isNifti(Path.of("x.img")) &&
			!NiftiIO.isNifti(Path.of("x.tif")));
	}

	// -- Helper methods --

	static void assertBitsEqual(final float[] expected, final float[] actual, final String what) {
		assertEquals(expected.length, actual.length, what + " length");
		for (int i = 0; i < expected.length; i++)
			if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i]))
				assertEquals(expected[i], actual[i], what + " voxel " + i);
	}

	static void assertSameGeometry(final NiftiHeader a, final NiftiHeader b, final String what) {
		for (int r = 0; r < 3; r++) {
			assertArrayEquals(a.affine()[r], b.affine()[r], 0, what + " affine row " + r);
			assertArrayEquals(a.srow()[r], b.srow()[r], 0, what + " srow " + r);
		}
		assertArrayEquals(a.pixdim(), b.pixdim(), 0, what + " pixdim");
		assertEquals(a.qformCode(), b.qformCode(), what + " qform_code");
		assertEquals(a.sformCode(), b.sformCode(), what + " sform_code");
		assertArrayEquals(a.quatern(), b.quatern(), 0, what + " quatern");
		assertArrayEquals(a.qoffset(), b.qoffset(), 0, what + " qoffset");
		assertEquals(a.descrip(), b.descrip(), what + " descrip");
		assertEquals(a.auxFile(), b.auxFile(), what + " aux_file");
		assertEquals(a.xyztUnits(), b.xyztUnits(), what + " xyzt_units");
		assertEquals(a.intentCode(), b.intentCode(), what + " intent_code");
		assertArrayEquals(a.intentParams(), b.intentParams(), 0, what + " intent params");
		assertEquals(a.intentName(), b.intentName(), what + " intent_name");
		assertEquals(a.toffset(), b.toffset(), 0, what + " toffset");
		assertEquals(a.dimInfo(), b.dimInfo(), what + " dim_info");
		assertEquals(a.sliceCode(), b.sliceCode(), what + " slice_code");
		assertEquals(a.sliceStart(), b.sliceStart(), what + " slice_start");
		assertEquals(a.sliceEnd(), b.sliceEnd(), what + " slice_end");
		assertEquals(a.sliceDuration(), b.sliceDuration(), 0, what + " slice_duration");
		assertEquals(a.extensions(), b.extensions(), what + " extensions");
		assertEquals(a.nx(), b.nx());
		assertEquals(a.ny(), b.ny());
		assertEquals(a.nz(), b.nz());
		assertEquals(a.nVolumes(), b.nVolumes());
	}
}
