// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;

import org.junit.jupiter.api.Test;

/** Each kind of failed write gets its cause in words and its own remedy. */
class WriteFailuresTest {

	@Test
	void aFullDiskSaysSoAndSaysToFreeSpace() {
		// as FileChannel and Files report it on Linux
		final IOException full = new FileSystemException("/d/out/x.nii.gz", null,
			"No space left on device");
		assertEquals("the disk is full (No space left on device)", WriteFailures.cause(full));
		assertTrue(WriteFailures.advice(full).startsWith("Free some space"));
		// as a stream reports it: a plain IOException, also when wrapped
		final IOException stream = new IOException(new IOException("No space left on device"));
		assertTrue(WriteFailures.cause(stream).startsWith("the disk is full"), WriteFailures.cause(
			stream));
	}

	@Test
	void permissionDeniedSaysToChooseAnotherFolder() {
		final IOException denied = new AccessDeniedException("/d/out");
		assertEquals("permission denied", WriteFailures.cause(denied));
		assertEquals("Choose an output folder you can write to (nothing was written).",
			WriteFailures.advice(denied));
	}

	@Test
	void aReadOnlyFileSystemSaysToChooseAnotherFolder() {
		// as Files reports EROFS on Linux
		final IOException ro = new FileSystemException("/mnt/cd/out", null,
			"Read-only file system");
		assertEquals("the file system is read-only", WriteFailures.cause(ro));
		assertEquals("Choose an output folder you can write to (nothing was written).",
			WriteFailures.advice(ro));
	}

	@Test
	void aFullQuotaIsNotAFullDisk() {
		final IOException quota = new FileSystemException("/home/u/out/x.nii.gz", null,
			"Disk quota exceeded");
		assertEquals("your disk quota is used up (Disk quota exceeded)", WriteFailures.cause(
			quota));
		assertEquals("Free some space (delete files you no longer need), or ask for more quota " +
			"(nothing was written).", WriteFailures.advice(quota));
		final String stream = WriteFailures.explain(new IOException("Disk quota exceeded"));
		assertFalse(stream.contains("disk is full"), stream);
		assertTrue(stream.startsWith("your disk quota is used up"), stream);
	}

	@Test
	void aMissingFileIsNamedWithoutClaimingItsFolderWasRemoved() {
		final IOException gone = new java.nio.file.NoSuchFileException("/d/out/.out.partial/a.csv");
		assertEquals("/d/out/.out.partial/a.csv does not exist (was its folder removed during " +
			"the run?)", WriteFailures.cause(gone));
	}

	@Test
	void anythingElseNamesItsReasonWithoutAClassName() {
		final IOException other = new IOException("Input/output error");
		final String m = WriteFailures.explain(other);
		assertEquals("Input/output error. Check the disk space and permissions (nothing was " +
			"written).", m);
		assertFalse(m.contains("java.io"), m);
	}
}
