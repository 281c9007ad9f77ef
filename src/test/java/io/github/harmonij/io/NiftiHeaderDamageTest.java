// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.core.InputException;

/**
 * Damaged header fields are named on their own, by {@link NiftiIO#readHeader} as well as by the
 * readers: the field, its value and what to do. A plain 4x5x6 NIfTI-1 float32 file is written
 * and then one field of its header is edited.
 */
class NiftiHeaderDamageTest {

	@TempDir
	Path tmp;

	@Test
	void nanInTheSformIsNamedByRowAndColumn() throws IOException {
		final Path p = edited("sform.nii", 2, 1, bb -> bb.putFloat(280 + 32 + 4, Float.NaN));
		assertRefused(p, p + ": sform row 3 (srow_z) has NaN in column 2; the header is damaged.");
	}

	@Test
	void infiniteQuaternionIsNamedWhenTheQformIsUsed() throws IOException {
		final Path p = edited("qform.nii", 1, 0, bb -> bb.putFloat(260, Float.POSITIVE_INFINITY));
		assertRefused(p, p + ": qform quatern_c is Infinity; the header is damaged.");
		// the same value with qform_code 0 is not used by any reader: accepted
		final Path unused = edited("unused.nii", 0, 0, bb -> bb.putFloat(260,
			Float.POSITIVE_INFINITY));
		assertEquals("pixdim", NiftiIO.readHeader(unused).affineSource());
	}

	@Test
	void nanVoxelSizeIsNamedWhenTheAffineUsesIt() throws IOException {
		final Path p = edited("pixdim.nii", 0, 0, bb -> bb.putFloat(76 + 4 * 2, Float.NaN));
		assertRefused(p, p + ": pixdim[2] (voxel size along y) is NaN; the header is damaged.");
	}

	@Test
	void aJunkQformBesideAValidSformReads() throws IOException {
		// NaN quaternion and offset with qform_code 1, and a good sform: the affine is the sform
		final Path p = edited("junkq.nii", 1, 2, bb -> bb.putFloat(256, Float.NaN).putFloat(268,
			Float.NaN));
		final NiftiHeader h = NiftiIO.readHeader(p);
		assertEquals("sform", h.affineSource());
		assertEquals(-4, h.affine()[0][3]);
		NiftiIO.read(p);
		// and an out-of-range qform_code beside it too
		assertEquals("sform", NiftiIO.readHeader(edited("junkqcode.nii", 9, 2, bb -> bb.putFloat(
			256, Float.NaN))).affineSource());
	}

	@Test
	void anOutOfRangeCodeIsNamedOnlyForTheTransformTheAffineUses() throws IOException {
		final Path p = edited("code.nii", 9, 0, bb -> {});
		assertRefused(p, p + ": qform_code 9 is not a valid code (0-5); the header is damaged.");
		final Path s = edited("scode.nii", 1, 7, bb -> {});
		assertRefused(s, s + ": sform_code 7 is not a valid code (0-5); the header is damaged.");
		// a negative sform_code is "not set", as in nifti1_io: the qform is used
		assertEquals("qform", NiftiIO.readHeader(edited("negs.nii", 1, -2, bb -> {}))
			.affineSource());
		// an out-of-range qform_code beside a sform is not used: ignored
		assertEquals("sform", NiftiIO.readHeader(edited("qnine.nii", 9, 1, bb -> {}))
			.affineSource());
		// 5, NIFTI_XFORM_TEMPLATE_OTHER, is valid
		assertEquals(5, NiftiIO.readHeader(edited("five.nii", 5, 5, bb -> {})).sformCode());
	}

	@Test
	void hugeDimsAreAFileTooSmallForItsDims() throws IOException {
		final Path p = edited("dims.nii", 0, 0, bb -> {
			for (int d = 1; d <= 3; d++)
				bb.putShort(40 + 2 * d, Short.MAX_VALUE);
		});
		final String m = assertThrows(InputException.class, () -> NiftiIO.readHeader(p))
			.getMessage();
		assertTrue(m.startsWith(p + " is truncated: expected " + 4L * 32767 * 32767 * 32767 +
			" bytes of voxel data, found " + 4 * 4 * 5 * 6 + ". The file is too small for its " +
			"dims (32767x32767x32767 voxels of float32)"), m);
		assertEquals(m, assertThrows(InputException.class, () -> NiftiIO.read(p)).getMessage());
	}

	@Test
	void oneBitBinaryIsNamedAsSuch() throws IOException {
		final Path p = edited("binary.nii", 0, 0, bb -> bb.putShort(70, (short) 1).putShort(72,
			(short) 1));
		assertRefused(p, p + ": 1-bit binary images (datatype 1) are not supported; save it as " +
			"uint8");
	}

	// -- Helper methods --

	private void assertRefused(final Path p, final String start) {
		for (final String m : new String[] { assertThrows(InputException.class, () -> NiftiIO
			.readHeader(p)).getMessage(), assertThrows(InputException.class, () -> NiftiIO.read(p))
				.getMessage() })
			assertTrue(m.startsWith(start), m);
	}

	/** A plain 4x5x6 float32 file with the given codes, then {@code edit} applied to its header. */
	private Path edited(final String name, final int qformCode, final int sformCode,
		final Consumer<ByteBuffer> edit) throws IOException
	{
		final Path p = tmp.resolve(name);
		final NiftiHeader h = NiftiHeader.builder().size(4, 5, 6, 1).qformCode(qformCode)
			.sformCode(sformCode).srow(new double[][] { { 2, 0, 0, -4 }, { 0, 2, 0, -5 }, { 0, 0, 2,
				-6 } }).build();
		NiftiIO.write(p, h, new float[4 * 5 * 6], 1);
		final byte[] b = Files.readAllBytes(p);
		final ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
		edit.accept(bb);
		Files.write(p, b);
		return p;
	}
}
