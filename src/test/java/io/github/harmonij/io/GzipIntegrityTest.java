// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.core.InputException;

/**
 * Damaged gzip files are refused, never used: bytes flipped inside the deflate data, a wrong
 * CRC-32 or ISIZE in the trailer, a cut-off trailer, and data after the last member; while
 * concatenated members (as pigz or {@code cat a.gz b.gz} make them) and zero padding are read.
 * Every refusal is an {@link InputException} naming the damaged file.
 */
class GzipIntegrityTest {

	/** Flipped positions; the brief's experiment: 28 of 40 such files used to be accepted. */
	private static final int FLIPS = 40;
	private static final long SEED = 20261202;

	@TempDir
	Path tmp;

	private static Path conformance(final String relative) {
		return NiftiConformanceTest.resourceRoot().resolve("nifti-conformance/" + relative);
	}

	@Test
	void everyFlipInsideTheDeflateDataIsRefusedNamingTheFile() throws IOException {
		final byte[] good = Files.readAllBytes(conformance("nibabel/someones_anatomy.nii.gz"));
		final int start = deflateStart(good), end = good.length - 8;
		final Random random = new Random(SEED);
		for (int i = 0; i < FLIPS; i++) {
			final int at = start + random.nextInt(end - start);
			final byte[] bad = good.clone();
			bad[at] ^= (byte) (1 + random.nextInt(255));
			final Path p = tmp.resolve("flip" + i + "_at" + at + ".nii.gz");
			Files.write(p, bad);
			final InputException e = assertThrows(InputException.class, () -> NiftiIO.read(p),
				"byte " + at + " flipped");
			final String m = e.getMessage();
			assertTrue(m.startsWith(p + " is damaged: "), "names the file first, as damaged: " + m);
			assertTrue(m.contains("Copy it again"), "says what to do: " + m);
			assertFalse(m.contains("ZipException") || m.contains("java."), "raw exception: " + m);
		}
	}

	@Test
	void aWrongChecksumIsRefused() throws IOException {
		final Path good = conformance("nibabel/someones_anatomy.nii.gz");
		final Path p = damagedCopy(good, "crc.nii.gz", 8);
		assertTrue(NiftiIO.read(good).data().length > 0);
		assertEquals(p + " is damaged: its gzip checksum does not match", firstPart(assertThrows(
			InputException.class, () -> NiftiIO.read(p))));
		assertTrue(assertThrows(InputException.class, () -> NiftiIO.readDoubles(p)).getMessage()
			.startsWith(p + " is damaged: its gzip checksum does not match"));
		assertTrue(assertThrows(InputException.class, () -> NiftiIO.readVolume(p, 0)).getMessage()
			.startsWith(p + " is damaged: its gzip checksum does not match"));
	}

	@Test
	void aWrongLengthIsRefused() throws IOException {
		final Path p = damagedCopy(conformance("nibabel/someones_anatomy.nii.gz"), "isize.nii.gz",
			4);
		assertEquals(p + " is damaged: its gzip length does not match", firstPart(assertThrows(
			InputException.class, () -> NiftiIO.read(p))));
	}

	@Test
	void aCutOffTrailerIsTruncation() throws IOException {
		final byte[] good = Files.readAllBytes(conformance("nibabel/someones_anatomy.nii.gz"));
		final Path p = tmp.resolve("cut.nii.gz");
		Files.write(p, Arrays.copyOf(good, good.length - 5));
		final String m = assertThrows(InputException.class, () -> NiftiIO.read(p)).getMessage();
		assertTrue(m.startsWith(p + " is truncated"), m);
	}

	@Test
	void onlyTheFirstVolumeOfAFourDImageIsStillCheckedToTheEnd() throws IOException {
		final Path good = conformance("derived/tpm_gm_wm_csf_4d.nii.gz");
		final Path p = damagedCopy(good, "tpm.nii.gz", 8);
		assertTrue(NiftiIO.readVolume(good, 0).length > 0);
		final String m = assertThrows(InputException.class, () -> NiftiIO.readVolume(p, 0))
			.getMessage();
		assertTrue(m.startsWith(p + " is damaged: its gzip checksum does not match"), m);
		final String each = assertThrows(InputException.class, () -> NiftiIO.forEachVolume(p, (v,
			d) -> {})).getMessage();
		assertTrue(each.startsWith(p + " is damaged"), each);
	}

	@Test
	void theImageOfAGzippedPairIsChecked() throws IOException {
		Files.copy(conformance("nifti-reader-js/air.hdr.gz"), tmp.resolve("air.hdr.gz"));
		final Path img = damagedCopy(conformance("nifti-reader-js/air.img.gz"), "air.img.gz", 8);
		final String m = assertThrows(InputException.class, () -> NiftiIO.read(tmp.resolve(
			"air.hdr.gz"))).getMessage();
		assertTrue(m.startsWith(img + " is damaged: its gzip checksum does not match"), m);
		final Path hdr = damagedCopy(conformance("nifti-reader-js/air2.hdr.gz"), "air2.hdr.gz", 8);
		Files.copy(conformance("nifti-reader-js/air2.img.gz"), tmp.resolve("air2.img.gz"));
		final String h = assertThrows(InputException.class, () -> NiftiIO.read(hdr)).getMessage();
		assertTrue(h.startsWith(hdr + " is damaged: its gzip checksum does not match"), h);
	}

	@Test
	void aDamagedImageOfAPairTooSmallForItsDimsIsNamedAsDamaged() throws IOException {
		// A .hdr of 512^3 float voxels (made from a written .nii), and a small .img.gz whose
		// checksum does not match: the damage is the news, not the size.
		final Path nii = tmp.resolve("big.nii");
		NiftiIO.write(nii, NiftiHeader.builder().size(4, 5, 6, 1).build(), new float[4 * 5 * 6], 1);
		final byte[] h = Arrays.copyOf(Files.readAllBytes(nii), 348);
		final ByteBuffer bb = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
		for (int d = 1; d <= 3; d++)
			bb.putShort(40 + 2 * d, (short) 512);
		bb.putFloat(108, 0f); // vox_offset
		bb.put(344, (byte) 'n').put(345, (byte) 'i').put(346, (byte) '1').put(347, (byte) 0);
		final Path hdr = tmp.resolve("big.hdr");
		Files.write(hdr, h);
		final ByteArrayOutputStream gz = new ByteArrayOutputStream();
		try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
			out.write(new byte[4096]);
		}
		final byte[] g = gz.toByteArray();
		g[g.length - 8] ^= 1; // the CRC-32
		final Path img = tmp.resolve("big.img.gz");
		Files.write(img, g);
		for (final Path p : new Path[] { hdr, img }) {
			final String m = assertThrows(InputException.class, () -> NiftiIO.readHeader(p))
				.getMessage();
			assertTrue(m.startsWith(img + " is damaged: its gzip checksum does not match"), m);
			assertFalse(m.contains("truncated"), m);
		}
	}

	@Test
	void concatenatedMembersAreOneFile() throws IOException {
		final Path good = conformance("nibabel/someones_anatomy.nii.gz");
		final byte[] raw = gunzip(Files.readAllBytes(good));
		// Cuts inside the header, at its end, and inside the voxels: every member boundary works.
		final int[] cuts = { 0, 100, 348, 352, 5000, raw.length / 2, raw.length };
		final ByteArrayOutputStream multi = new ByteArrayOutputStream();
		for (int i = 0; i + 1 < cuts.length; i++)
			multi.write(gzip(Arrays.copyOfRange(raw, cuts[i], cuts[i + 1])));
		final Path p = tmp.resolve("multi.nii.gz");
		Files.write(p, multi.toByteArray());
		assertArrayEquals(NiftiIO.read(good).data(), NiftiIO.read(p).data());
		// and a damaged later member is still found
		final byte[] bad = multi.toByteArray();
		bad[bad.length - 8] ^= 1;
		final Path q = tmp.resolve("multi_bad.nii.gz");
		Files.write(q, bad);
		final String m = assertThrows(InputException.class, () -> NiftiIO.read(q)).getMessage();
		assertTrue(m.startsWith(q + " is damaged: its gzip checksum does not match"), m);
		assertTrue(m.contains("member 6"), m);
	}

	@Test
	void zeroPaddingIsIgnoredOtherTrailingDataIsNot() throws IOException {
		final Path good = conformance("nibabel/someones_anatomy.nii.gz");
		final byte[] gz = Files.readAllBytes(good);
		final Path padded = tmp.resolve("padded.nii.gz");
		Files.write(padded, Arrays.copyOf(gz, gz.length + 512));
		assertArrayEquals(NiftiIO.read(good).data(), NiftiIO.read(padded).data());
		final byte[] junk = Arrays.copyOf(gz, gz.length + 16);
		junk[junk.length - 3] = 'x';
		final Path p = tmp.resolve("junk.nii.gz");
		Files.write(p, junk);
		final String m = assertThrows(InputException.class, () -> NiftiIO.read(p)).getMessage();
		assertTrue(m.startsWith(p + " is damaged: after gzip member 1 come 13 zero bytes and " +
			"then other data"), m);
	}

	// -- Helper methods --

	/** A copy of {@code src} with the byte {@code fromEnd} bytes before the end flipped. */
	private Path damagedCopy(final Path src, final String name, final int fromEnd)
		throws IOException
	{
		final byte[] b = Files.readAllBytes(src);
		b[b.length - fromEnd] ^= 0x55;
		final Path p = tmp.resolve(name);
		Files.write(p, b);
		return p;
	}

	/** The message up to the parenthesis with the numbers. */
	private static String firstPart(final InputException e) {
		final String m = e.getMessage();
		final int paren = m.indexOf(" (");
		return paren < 0 ? m : m.substring(0, paren);
	}

	/** Offset of the deflate data after the gzip header (RFC 1952: FEXTRA, FNAME, FCOMMENT). */
	private static int deflateStart(final byte[] gz) {
		final int flags = gz[3];
		int at = 10;
		if ((flags & 4) != 0) at += 2 + (gz[10] & 0xFF | (gz[11] & 0xFF) << 8);
		if ((flags & 8) != 0) while (gz[at++] != 0) {
			// original name
		}
		if ((flags & 16) != 0) while (gz[at++] != 0) {
			// comment
		}
		if ((flags & 2) != 0) at += 2;
		return at;
	}

	private static byte[] gunzip(final byte[] gz) throws IOException {
		try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
			return in.readAllBytes();
		}
	}

	private static byte[] gzip(final byte[] raw) throws IOException {
		final ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (GZIPOutputStream z = new GZIPOutputStream(out)) {
			z.write(raw);
		}
		return out.toByteArray();
	}
}
