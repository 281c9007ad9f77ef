// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static io.github.harmonij.cli.CliRuns.fail;
import static io.github.harmonij.cli.CliRuns.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.core.Progress;
import io.github.harmonij.io.NiftiHeader;
import io.github.harmonij.io.NiftiIO;
import io.github.harmonij.pipeline.CohortSimulation;

/**
 * Damaged files in a whole run: a cohort image or a saved-model map whose gzip checksum does not
 * match, a header with NaN in its sform or with impossible dims. Each is refused naming that file
 * (and field), and no other file is blamed for it. Cohort: 12 simulated subjects, 3 sites, 2 mm.
 */
class DamagedInputsTest {

	@TempDir
	static Path tmp;

	static Path sim;

	@BeforeAll
	static void simulate() {
		sim = tmp.resolve("sim");
		CohortSimulation.write(sim, 12, 3, 11, 2, Progress.NONE, () -> false);
	}

	@Test
	void aCohortImageWithAWrongChecksumStopsTheRunNamingIt() throws IOException {
		final Path copy = copyCohort("crc");
		final Path victim = copy.resolve("images/sub-005.nii.gz");
		final byte[] b = Files.readAllBytes(victim);
		b[b.length - 8] ^= 0x55; // CRC-32 in the trailer: every voxel still decodes
		Files.write(victim, b);
		final String err = fail("combat", "--manifest", copy.resolve("cohort.csv"), "--batch",
			"site", "--covariates", "age,sex", "--categorical", "sex", "--mask", copy.resolve(
				"mask.nii.gz"), "--out", tmp.resolve("crc-out"));
		assertTrue(err.contains(victim + " is damaged: its gzip checksum does not match"), err);
		assertTrue(err.contains("Copy it again from its source"), err);
		assertFalse(Files.exists(tmp.resolve("crc-out").resolve("model")), "no model written");
	}

	@Test
	void compareRefusesADamagedScanOrMask() throws IOException {
		final Path copy = copyCohort("compare");
		final Path scanB = copy.resolve("images/sub-002.nii.gz"), mask = copy.resolve(
			"mask.nii.gz");
		for (final Path victim : new Path[] { scanB, mask }) {
			final byte[] b = Files.readAllBytes(victim);
			b[b.length - 7] ^= 0x10;
			Files.write(victim, b);
			final String err = fail("compare", "--scan-a", copy.resolve("images/sub-001.nii.gz"),
				"--scan-b", scanB, "--mask", mask);
			assertTrue(err.contains(victim + " is damaged: its gzip checksum does not match"), err);
			b[b.length - 7] ^= 0x10;
			Files.write(victim, b);
		}
		run("compare", "--scan-a", copy.resolve("images/sub-001.nii.gz"), "--scan-b", scanB,
			"--mask", mask);
	}

	@Test
	void aSavedModelMapWithAWrongChecksumIsRefusedNamingIt() throws IOException {
		final Path fit = tmp.resolve("fit");
		run("combat", "--manifest", sim.resolve("cohort.csv"), "--batch", "site", "--covariates",
			"age,sex", "--categorical", "sex", "--out", fit);
		final Path map;
		try (var s = Files.list(fit.resolve("model"))) {
			map = s.filter(p -> p.getFileName().toString().startsWith("gamma")).findFirst().get();
		}
		final byte[] b = Files.readAllBytes(map);
		b[b.length - 6] ^= 0x01;
		Files.write(map, b);
		final String err = fail("apply", "--model", fit.resolve("model"), "--manifest", sim
			.resolve("cohort.csv"), "--out", tmp.resolve("apply-out"));
		assertTrue(err.contains(map + " is damaged: its gzip checksum does not match"), err);
	}

	@Test
	void nanInTheSformOfTheFirstImageNamesThatImageAloneAndTheField() throws IOException {
		final Path copy = copyCohort("nan");
		final Path first = copy.resolve("images/sub-001.nii.gz");
		editHeader(first, bb -> bb.putFloat(280 + 16 + 4 * 2, Float.NaN)); // srow_y, column 3
		for (final String mask : new String[] { null, "mask.nii.gz" }) {
			final String err = fail(combat(copy, mask, tmp.resolve("nan-out-" + (mask == null))));
			assertTrue(err.contains(first + ": sform row 2 (srow_y) has NaN in column 3; the " +
				"header is damaged."), err);
			assertTrue(err.contains("row 2 (subject sub-001)"), err);
			assertFalse(err.contains("problems with the images"), "only one problem: " + err);
			assertFalse(err.contains("another grid") || err.contains("sub-002"), err);
		}
	}

	@Test
	void anInvalidSformCodeIsNamed() throws IOException {
		final Path copy = copyCohort("code");
		final Path victim = copy.resolve("images/sub-004.nii.gz");
		editHeader(victim, bb -> bb.putShort(254, (short) 9));
		final String err = fail(combat(copy, null, tmp.resolve("code-out")));
		assertTrue(err.contains(victim + ": sform_code 9 is not a valid code (0-5)"), err);
		assertFalse(err.contains("another grid"), err);
	}

	@Test
	void hugeDimsAreAFileTooSmallForItsDims() throws IOException {
		final Path copy = copyCohort("dims");
		final Path victim = copy.resolve("images/sub-003.nii.gz");
		editHeader(victim, bb -> {
			for (int d = 1; d <= 3; d++)
				bb.putShort(40 + 2 * d, Short.MAX_VALUE);
		});
		final String err = fail(combat(copy, "mask.nii.gz", tmp.resolve("dims-out")));
		assertTrue(err.contains(victim + " is truncated: expected " + 4L * 32767 * 32767 * 32767 +
			" bytes of voxel data, found " + 4 * 91 * 109 * 91 + ". The file is too small for " +
			"its dims (32767x32767x32767 voxels of float32)"), err);
		assertFalse(err.contains("another grid"), err);
	}

	@Test
	void gridMessagesGiveTheSizesInTheOrderOfTheSentence() throws IOException {
		final Path copy = copyCohort("grid");
		final Path victim = copy.resolve("images/sub-003.nii.gz");
		final NiftiHeader h = NiftiIO.readHeader(victim);
		Files.delete(victim);
		NiftiIO.write(victim, h.toBuilder().size(10, 11, 12, 1).build(), new float[10 * 11 * 12],
			1);
		String err = fail(combat(copy, null, tmp.resolve("grid-out")));
		assertTrue(err.contains("sub-003.nii.gz is on another grid than sub-001.nii.gz (size " +
			"10x11x12 vs 91x109x91)"), err);
		err = fail(combat(copy, "mask.nii.gz", tmp.resolve("grid-out-mask")));
		assertTrue(err.contains("sub-003.nii.gz is on another grid than the mask mask.nii.gz " +
			"(size 10x11x12 vs 91x109x91)"), err);
	}

	@Test
	void aCorruptedHeaderInTheFirstImageIsDamageNotAnotherGrid() throws IOException {
		final Path copy = copyCohort("shifted");
		final Path first = copy.resolve("images/sub-001.nii.gz");
		shiftKeepingTheOldChecksum(first);
		final String err = fail(combat(copy, null, tmp.resolve("shifted-out")));
		assertTrue(err.contains("row 2 (subject sub-001): " + first + " is damaged: its gzip " +
			"checksum does not match"), err);
		assertFalse(err.contains("another grid") || err.contains("sub-002"), err);
	}

	@Test
	void applyAndCompareNameACorruptedHeaderAsDamage() throws IOException {
		final Path fit = tmp.resolve("fit-shift");
		run("combat", "--manifest", sim.resolve("cohort.csv"), "--batch", "site", "--out", fit);
		final Path copy = copyCohort("shifted-apply");
		final Path victim = copy.resolve("images/sub-003.nii.gz");
		shiftKeepingTheOldChecksum(victim);
		final String err = fail("apply", "--model", fit.resolve("model"), "--manifest", copy
			.resolve("cohort.csv"), "--out", tmp.resolve("shifted-apply-out"));
		assertTrue(err.contains("row 4 (subject sub-003): " + victim + " is damaged: its gzip " +
			"checksum does not match"), err);
		assertFalse(err.contains("model's grid"), err);
		final String cmp = fail("compare", "--scan-a", copy.resolve("images/sub-001.nii.gz"),
			"--scan-b", victim);
		assertTrue(cmp.contains(victim + " is damaged: its gzip checksum does not match"), cmp);
		assertFalse(cmp.contains("not on the grid"), cmp);
	}

	@Test
	void aMaskOnAnotherGridThanEveryImageIsNamedAlone() throws IOException {
		final Path copy = copyCohort("maskgrid");
		final Path mask = copy.resolve("mask.nii.gz");
		final NiftiHeader h = NiftiIO.readHeader(mask);
		Files.delete(mask);
		final float[] ones = new float[10 * 11 * 12];
		java.util.Arrays.fill(ones, 1);
		NiftiIO.write(mask, h.toBuilder().size(10, 11, 12, 1).build(), ones, 1);
		final String err = fail(combat(copy, "mask.nii.gz", tmp.resolve("maskgrid-out")));
		assertTrue(err.contains("The mask mask.nii.gz is on another grid than every image (size " +
			"10x11x12 vs 91x109x91 of sub-001.nii.gz). Resample the mask to the images' grid."),
			err);
		assertFalse(err.contains("sub-002"), err);
	}

	// -- Helper methods --

	private static Object[] combat(final Path cohort, final String mask, final Path out) {
		return mask == null ? new Object[] { "combat", "--manifest", cohort.resolve("cohort.csv"),
			"--batch", "site", "--out", out } : new Object[] { "combat", "--manifest", cohort
				.resolve("cohort.csv"), "--batch", "site", "--mask", cohort.resolve(mask), "--out",
				out };
	}

	/**
	 * Moves an image 8 mm along x in its header (a finite, valid value: on another grid) but
	 * keeps the gzip trailer of the original bytes, as corruption in copying would.
	 */
	private static void shiftKeepingTheOldChecksum(final Path p) throws IOException {
		final byte[] old = Files.readAllBytes(p);
		editHeader(p, bb -> bb.putFloat(280 + 12, bb.getFloat(280 + 12) - 8));
		final byte[] b = Files.readAllBytes(p);
		System.arraycopy(old, old.length - 8, b, b.length - 8, 8);
		Files.write(p, b);
	}

	/** A copy of the simulated cohort (manifest, mask, images) that a test may damage. */
	private static Path copyCohort(final String name) throws IOException {
		final Path copy = tmp.resolve(name);
		Files.createDirectories(copy.resolve("images"));
		Files.copy(sim.resolve("cohort.csv"), copy.resolve("cohort.csv"));
		Files.copy(sim.resolve("mask.nii.gz"), copy.resolve("mask.nii.gz"));
		try (var s = Files.list(sim.resolve("images"))) {
			for (final Path f : (Iterable<Path>) s::iterator)
				Files.copy(f, copy.resolve("images").resolve(f.getFileName()));
		}
		return copy;
	}

	/** Rewrites a NIfTI-1 .nii.gz with its 348-byte header edited (a valid gzip again). */
	private static void editHeader(final Path p, final Consumer<ByteBuffer> edit)
		throws IOException
	{
		final byte[] raw;
		try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(Files.readAllBytes(
			p))))
		{
			raw = in.readAllBytes();
		}
		final ByteBuffer bb = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
		assertEquals(348, bb.getInt(0), p + " is little-endian NIfTI-1");
		edit.accept(bb);
		final ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (GZIPOutputStream z = new GZIPOutputStream(out)) {
			z.write(raw);
		}
		Files.write(p, out.toByteArray());
	}
}
