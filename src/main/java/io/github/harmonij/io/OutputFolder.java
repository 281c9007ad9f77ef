// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

import io.github.harmonij.core.InputException;

/**
 * An output folder that appears only when it is complete. Results are written into a hidden work
 * folder beside the target ({@code .NAME.partial}); {@link #commit()} renames it to the target,
 * and {@link #close()} without a commit (failure, cancel) deletes it. The target must not exist or
 * be empty: nothing the user has is overwritten.
 * <pre>
 * try (OutputFolder out = OutputFolder.create(dir)) {
 *     write(out.path().resolve("summary.csv"));
 *     out.commit();
 * }
 * </pre>
 */
public final class OutputFolder implements AutoCloseable {

	private final Path target;

	private final Path work;

	private boolean committed;

	/** The target was taken during the run: the results stay in the work folder. */
	private boolean kept;

	private OutputFolder(final Path target, final Path work) {
		this.target = target;
		this.work = work;
	}

	/**
	 * Checks the target and makes the work folder.
	 *
	 * @throws InputException if the target exists and is not an empty folder, or cannot be made
	 */
	public static OutputFolder create(final Path target) {
		checkUsable(target);
		final Path abs = target.toAbsolutePath().normalize();
		final Path parent = abs.getParent();
		final Path work = parent.resolve("." + abs.getFileName() + ".partial");
		try {
			Files.createDirectories(parent);
			if (Files.exists(work)) deleteTree(work); // left by a run that was killed
			Files.createDirectory(work);
		}
		catch (final IOException e) {
			throw new InputException("Cannot create the output folder " + target + ": " + e
				.getMessage() + ". Choose a folder you can write to.");
		}
		return new OutputFolder(abs, work);
	}

	/**
	 * @throws InputException if {@code target} exists and is not an empty folder
	 */
	public static void checkUsable(final Path target) {
		if (!Files.exists(target)) return;
		if (!Files.isDirectory(target)) throw new InputException(target +
			" exists and is not a folder; choose a new or empty output folder (nothing was overwritten).");
		try (Stream<Path> s = Files.list(target)) {
			if (s.findAny().isPresent()) throw new InputException(target +
				" is not empty; choose a new or empty output folder (nothing was overwritten).");
		}
		catch (final IOException e) {
			throw new InputException("Cannot read " + target + ": " + e.getMessage());
		}
	}

	/** @return where to write while the run goes on */
	public Path path() {
		return work;
	}

	/** @return the folder the results will have when committed */
	public Path target() {
		return target;
	}

	/** Moves the finished results into place. */
	public void commit() {
		try {
			if (Files.isDirectory(target)) Files.delete(target); // empty, checked before
			try {
				Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (final AtomicMoveNotSupportedException e) {
				Files.move(work, target);
			}
			committed = true;
		}
		catch (final DirectoryNotEmptyException e) {
			kept = true; // not deleted by close: the message points to them
			throw new InputException(target + " was filled by something else during the run; the " +
				"results are kept in " + work + " (move them elsewhere before running again with " +
				"the same output).");
		}
		catch (final IOException e) {
			throw new InputException("Cannot move the results from " + work + " to " + target + ": " +
				e.getMessage());
		}
	}

	/** Deletes the work folder unless the results were committed (or kept, see {@link #commit}). */
	@Override
	public void close() {
		if (committed || kept) return;
		try {
			deleteTree(work);
		}
		catch (final IOException e) {
			// Leave it; its name says it is partial.
		}
	}

	private static void deleteTree(final Path root) throws IOException {
		if (!Files.exists(root)) return;
		try (Stream<Path> s = Files.walk(root)) {
			for (final Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator)
				Files.delete(p);
		}
	}
}
