// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.core.InputException;

/**
 * The output folder's promises: one owner per work area, a dead run's area cleaned, a user's folder
 * never deleted, links written through, run.json's outputs checked, no commit after a cancel.
 * (Other processes and signals: FaultInjectionIT.)
 */
class OutputFolderTest {

	@TempDir
	Path dir;

	@Test
	void aSecondOwnerInTheSameJvmIsRefusedAndTheFirstCommits() throws IOException {
		final Path target = dir.resolve("out");
		try (OutputFolder first = OutputFolder.create(target)) {
			Files.write(first.path().resolve("a.txt"), new byte[] { 1, 2, 3 });
			final InputException e = assertThrows(InputException.class, () -> OutputFolder.create(
				target));
			assertTrue(e.getMessage().startsWith(target + " is being written by another HarmonIJ " +
				"run (pid " + ProcessHandle.current().pid() + ", started "), e.getMessage());
			assertTrue(Files.isRegularFile(first.path().resolve("a.txt")), "first run's file kept");
			first.commit();
		}
		assertEquals(List.of("a.txt"), names(target), "marker not committed");
		assertFalse(Files.exists(work(target)));
		// Owned again once the first is over: the target is full now, so refused for that.
		final InputException full = assertThrows(InputException.class, () -> OutputFolder.create(
			target));
		assertTrue(full.getMessage().contains("is not empty"), full.getMessage());
	}

	@Test
	void aDeadRunsAreaIsTakenOver() throws IOException {
		final Path target = dir.resolve("out");
		final Path work = work(target);
		Files.createDirectories(work.resolve("harmonised"));
		Files.write(work.resolve("harmonised/old.nii.gz"), new byte[10]);
		Files.write(work.resolve(OutputFolder.MARKER), ("HarmonIJ work area\npid=999999\n" +
			"started=2020-01-01T00:00:00Z\nid=1\n").getBytes(StandardCharsets.UTF_8));
		try (OutputFolder out = OutputFolder.create(target)) {
			assertEquals(work, out.path());
			assertEquals(List.of(OutputFolder.MARKER), names(work), "the dead run's files are gone");
			final String marker = new String(Files.readAllBytes(work.resolve(OutputFolder.MARKER)),
				StandardCharsets.UTF_8);
			assertTrue(marker.contains("pid=" + ProcessHandle.current().pid() + "\n"), marker);
			Files.write(out.path().resolve("new.txt"), new byte[1]);
			out.commit();
		}
		assertEquals(List.of("new.txt"), names(target));
	}

	@Test
	void aMarkerWhoseTextWasNeverWrittenIsStillHarmonijs() throws IOException {
		// the run died between creating its marker and writing it
		final Path target = dir.resolve("out");
		final Path work = work(target);
		Files.createDirectories(work);
		Files.write(work.resolve(OutputFolder.MARKER), new byte[0]);
		Files.write(work.resolve("half.nii.gz"), new byte[5]);
		try (OutputFolder out = OutputFolder.create(target)) {
			assertEquals(List.of(OutputFolder.MARKER), names(work), "cleaned");
			out.commit();
		}
		assertEquals(List.of(), names(target));
	}

	@Test
	void anEmptyTargetFolderIsReplacedInOneStep() throws IOException {
		final Path target = Files.createDirectories(dir.resolve("out"));
		try (OutputFolder out = OutputFolder.create(target)) {
			Files.write(out.path().resolve("a.txt"), new byte[2]);
			out.commit();
		}
		assertEquals(List.of("a.txt"), names(target));
		assertFalse(Files.exists(work(target)));
	}

	@Test
	void aMountPointIsRefusedBeforeAndAFailedCommitKeepsTheResults() throws Exception {
		final Path target = Files.createDirectories(dir.resolve("volume"));
		org.junit.jupiter.api.Assumptions.assumeTrue(mountTmpfs(target), "cannot mount a tmpfs " +
			"here (needs root): mount-point case skipped");
		try {
			final InputException e = assertThrows(InputException.class, () -> OutputFolder.create(
				target));
			assertTrue(e.getMessage().contains("is a mount point") && e.getMessage().contains(
				target.resolve("results").toString()), e.getMessage());
		}
		finally {
			umount(target);
		}
		// The volume is mounted during the run: the rename at the end fails (EBUSY), and the
		// complete results stay where the message says, never deleted.
		final Path work;
		try (OutputFolder out = OutputFolder.create(target)) {
			work = out.path();
			Files.write(out.path().resolve("a.txt"), new byte[] { 7 });
			assertTrue(mountTmpfs(target));
			try {
				final InputException e = assertThrows(InputException.class, out::commit);
				assertTrue(e.getMessage().contains("The results are complete and kept in " + work),
					e.getMessage());
			}
			finally {
				umount(target);
			}
		}
		assertEquals(List.of("a.txt"), names(work), "the results kept, without the marker");
	}

	private static boolean mountTmpfs(final Path at) throws Exception {
		final Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", at
			.toString()).redirectErrorStream(true).start();
		return p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0;
	}

	private static void umount(final Path at) throws Exception {
		new ProcessBuilder("umount", at.toString()).redirectErrorStream(true).start().waitFor(10,
			java.util.concurrent.TimeUnit.SECONDS);
	}

	@Test
	void aFolderWithoutMarkerIsNeverDeleted() throws IOException {
		final Path target = dir.resolve("out");
		final Path work = work(target);
		Files.createDirectories(work);
		Files.write(work.resolve("notes.txt"), "mine".getBytes(StandardCharsets.UTF_8));
		final InputException e = assertThrows(InputException.class, () -> OutputFolder.create(
			target));
		assertTrue(e.getMessage().startsWith(work + " is in the way of the output folder " +
			target), e.getMessage());
		assertEquals(List.of("notes.txt"), names(work));
		assertFalse(Files.exists(target));
	}

	@Test
	void anEmptyFolderOfThatNameIsUsed() throws IOException {
		final Path target = dir.resolve("out");
		Files.createDirectories(work(target));
		try (OutputFolder out = OutputFolder.create(target)) {
			Files.write(out.path().resolve("a.txt"), new byte[1]);
			out.commit();
		}
		assertEquals(List.of("a.txt"), names(target));
	}

	@Test
	void aLinkIsWrittenThroughAndKept() throws IOException {
		final Path real = Files.createDirectories(dir.resolve("real"));
		final Path link = Files.createSymbolicLink(dir.resolve("link"), real.getFileName());
		try (OutputFolder out = OutputFolder.create(link)) {
			assertEquals(dir.toRealPath().resolve(".real.partial"), out.path());
			Files.write(out.path().resolve("a.txt"), new byte[1]);
			out.commit();
		}
		assertTrue(Files.isSymbolicLink(link), "the link stays a link");
		assertEquals(List.of("a.txt"), names(link));
		assertEquals(List.of("a.txt"), names(real));
		final Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve(
			"nowhere"));
		final InputException e = assertThrows(InputException.class, () -> OutputFolder.create(
			dangling));
		assertTrue(e.getMessage().startsWith(dangling + " is a link to "), e.getMessage());
		assertTrue(Files.isSymbolicLink(dangling));
	}

	@Test
	void aShortfallAgainstRunJsonIsAnErrorAndLeavesNothing() throws IOException {
		final Path target = dir.resolve("out");
		try (OutputFolder out = OutputFolder.create(target)) {
			Files.createDirectories(out.path().resolve("harmonised"));
			Files.write(out.path().resolve("harmonised/a.nii.gz"), new byte[100]);
			Files.write(out.path().resolve("harmonised/b.nii.gz"), new byte[50]);
			writeRunJson(out.path());
			Files.write(out.path().resolve("harmonised/b.nii.gz"), new byte[49]); // truncated
			Files.delete(out.path().resolve("harmonised/a.nii.gz"));
			final IllegalStateException e = assertThrows(IllegalStateException.class, out::commit);
			assertTrue(e.getMessage().contains("harmonised/a.nii.gz is missing"), e.getMessage());
			assertTrue(e.getMessage().contains("harmonised/b.nii.gz has 49 bytes, run.json says 50"),
				e.getMessage());
		}
		assertFalse(Files.exists(target));
		assertFalse(Files.exists(work(target)));
	}

	@Test
	void aCompleteFolderPassesTheCheck() throws IOException {
		final Path target = dir.resolve("out");
		try (OutputFolder out = OutputFolder.create(target)) {
			Files.write(out.path().resolve("a.csv"), new byte[7]);
			writeRunJson(out.path());
			out.commit();
		}
		assertEquals(List.of("a.csv", "run.json"), names(target));
	}

	@Test
	void noCommitAfterACancel() throws IOException {
		final Path target = dir.resolve("out");
		final AtomicBoolean canceled = new AtomicBoolean();
		try (OutputFolder out = OutputFolder.create(target, canceled::get)) {
			Files.write(out.path().resolve("a.txt"), new byte[1]);
			OutputFolder.cancelling(() -> canceled.set(true));
			assertThrows(CancellationException.class, out::commit);
		}
		assertFalse(Files.exists(target));
		assertFalse(Files.exists(work(target)));
	}

	// -- Helper methods --

	private static void writeRunJson(final Path dir) throws IOException {
		final Map<String, Object> json = Map.of(OutputFolder.OUTPUTS, OutputFolder.inventory(dir));
		Files.write(dir.resolve("run.json"), Json.write(json).getBytes(
			StandardCharsets.UTF_8));
	}

	private static Path work(final Path target) throws IOException {
		return target.toAbsolutePath().getParent().toRealPath().resolve("." + target.getFileName() +
			".partial");
	}

	private static List<String> names(final Path dir) throws IOException {
		try (Stream<Path> s = Files.list(dir)) {
			return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
		}
	}
}
