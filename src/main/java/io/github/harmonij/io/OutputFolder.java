// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import io.github.harmonij.core.InputException;

/**
 * An output folder that appears only when it is complete. Results are written into a hidden work
 * area beside the target ({@code .NAME.partial}); {@link #commit()} renames it to the target,
 * and {@link #close()} without a commit (failure, cancel, a signal) deletes it. The target must
 * not exist or be empty: nothing the user has is overwritten. A target that is a symbolic link
 * is written through: the results go to the folder it points to and the link stays.
 * <pre>
 * try (OutputFolder out = OutputFolder.create(dir, canceled)) {
 *     write(out.path().resolve("summary.csv"));
 *     out.commit();
 * }
 * </pre>
 * <p>
 * <b>Ownership.</b> A run owns its work area for its whole life through the marker file
 * {@value #MARKER} inside it: HarmonIJ's signature with the run's pid, start time and a random
 * id, on which the run holds an OS lock ({@link FileChannel#tryLock}, on a byte range past the
 * text, so that other processes can still read it). Another run for the same target finds the
 * lock taken and refuses at once, naming the pid and start time. A work area whose marker is not
 * locked was left by a run that died (SIGKILL, power cut): the next run takes it over (it locks
 * the marker, checks that the marker's text is still the one it read before locking, so that it
 * holds the lock of the area at that path, empties the area and writes its own marker). A folder
 * named {@code .NAME.partial} without a marker is not HarmonIJ's: it is never deleted, and the
 * run refuses naming it (unless it is empty, or gains a marker or disappears within
 * {@value #SETTLE_MS} ms: a work area being made, committed or removed is in that state for
 * moments). Within one JVM (two commands in one Fiji) a table of owned areas answers first,
 * because closing a second channel on a locked file would drop the owner's POSIX lock.
 * <p>
 * <b>No race at the end.</b> The marker is deleted while its lock is still held, just before the
 * rename (commit) or the last step of the removal (close); the lock is released after. A run that
 * opened the marker before it was deleted and gets the lock after its release reads the marker
 * again and finds it gone (or another run's), and starts over. So the marker never reaches the
 * committed folder, and no run can clean an area whose owner is still alive.
 * <p>
 * <b>Commit against cancel.</b> {@link #commit()} checks the run's cancel flag and renames under
 * one lock that {@link #cancelling(Runnable)} also takes (the commands' cancel path, used by
 * ImageJ's Esc and by the command line's signal handler), so a cancel falls wholly before a
 * commit (nothing is committed) or after it (the folder is complete). Before the rename,
 * {@link #commit()} checks that every file {@code run.json} lists under {@value #OUTPUTS} exists
 * with its size; a shortfall is an internal error and the work area is removed. The rename
 * replaces an empty target folder in one step (POSIX rename(2)); if the rename itself fails, the
 * complete results are kept in the work area (without its marker) and the message names it:
 * finished results are never deleted. A target that is a mount point (a container's volume) is
 * refused before any work, since nothing can be renamed onto it.
 * <p>
 * <b>Identity of the lock.</b> A run that takes over an area checks, once it holds the lock, that
 * the marker at the path is still the file it locked (same file key) with the text it read: an
 * owner deletes its marker before releasing its lock, so a lock won on a deleted marker is
 * worthless and the run tries again. A marker whose text was never written (its run died at
 * once) is still HarmonIJ's. On a file system without locks (NFS mounted {@code nolock}) a run
 * goes on unlocked; another run then cannot tell whether it is alive, except on the same host by
 * its pid, and refuses with what it knows instead of cleaning.
 */
public final class OutputFolder implements AutoCloseable {

	/** The name of the marker file in a work area (never in a committed folder). */
	public static final String MARKER = ".harmonij-run";

	/** The key of run.json's list of output files, each {@code {"file": ..., "bytes": ...}}. */
	public static final String OUTPUTS = "outputs";

	/** The first line of a marker. */
	private static final String SIGNATURE = "HarmonIJ work area";

	/** How long a work area in passing (being made, committed or removed) is waited for. */
	static final long SETTLE_MS = 2000;

	/** Where the lock sits: past any text, so that the marker stays readable on every OS. */
	private static final long LOCK_POSITION = Long.MAX_VALUE - 1;

	/** Taken by {@link #commit()} around its last check and rename, and by cancels. */
	private static final Object COMMIT_LOCK = new Object();

	/** Work areas owned by this JVM, with their marker text. */
	private static final Map<Path, String> OWNED = new ConcurrentHashMap<>();

	private final Path target;

	private final Path work;

	private final BooleanSupplier canceled;

	private final String markerText;

	/** Open until the commit or close: its lock (where the file system has locks) goes with it. */
	private final FileChannel marker;

	private boolean committed;

	/** The target was taken during the run: the results stay in the work folder. */
	private boolean kept;

	private OutputFolder(final Path target, final Path work, final BooleanSupplier canceled,
		final String markerText, final FileChannel marker)
	{
		this.target = target;
		this.work = work;
		this.canceled = canceled;
		this.markerText = markerText;
		this.marker = marker;
	}

	/** As {@link #create(Path, BooleanSupplier)} for a run that cannot be canceled. */
	public static OutputFolder create(final Path target) {
		return create(target, () -> false);
	}

	/**
	 * Checks the target and makes (or takes over) the work area, owned by this run until
	 * {@link #commit()} or {@link #close()}.
	 *
	 * @param canceled the run's cancel flag, checked by {@link #commit()} under the commit lock
	 * @throws InputException if the target exists and is not an empty folder, is a link to
	 *           nothing, cannot be made, or is being written by another run; or if a folder of the
	 *           work area's name that is not HarmonIJ's is in the way
	 */
	public static OutputFolder create(final Path target, final BooleanSupplier canceled) {
		checkUsable(target);
		final Path real = realTarget(target);
		final Path parent = real.getParent();
		checkNotMountPoint(target, real, parent);
		final Path work = parent.resolve("." + real.getFileName() + ".partial");
		final String text = SIGNATURE + "\npid=" + ProcessHandle.current().pid() + "\nhost=" +
			host() + "\nstarted=" +
			DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Instant.now().truncatedTo(ChronoUnit.SECONDS).atZone(ZoneId
				.systemDefault())) + "\nid=" + Long.toHexString(ThreadLocalRandom.current()
					.nextLong()) + "\ntarget=" + real + "\n";
		final String other = OWNED.putIfAbsent(work, text);
		if (other != null) throw busy(target, other);
		try {
			Files.createDirectories(parent);
			final long deadline = System.nanoTime() + SETTLE_MS * 1_000_000L;
			while (true) {
				checkUsable(target);
				final OutputFolder owned = tryOwn(target, real, work, text, canceled, System
					.nanoTime() > deadline);
				if (owned != null) return owned;
				Thread.sleep(20);
			}
		}
		catch (final IOException e) {
			OWNED.remove(work, text);
			throw new InputException("Cannot create the output folder " + target + ": " + e +
				". Choose a folder you can write to (nothing was written).");
		}
		catch (final InterruptedException e) {
			OWNED.remove(work, text);
			Thread.currentThread().interrupt();
			throw new CancellationException();
		}
		catch (final RuntimeException e) {
			OWNED.remove(work, text);
			throw e;
		}
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

	/**
	 * Runs a cancel so that it falls wholly before or wholly after any {@link #commit()}: a run
	 * canceled this way before its commit commits nothing.
	 */
	public static void cancelling(final Runnable cancel) {
		synchronized (COMMIT_LOCK) {
			cancel.run();
		}
	}

	/**
	 * The files under {@code dir} with their sizes, for run.json's {@value #OUTPUTS}: every
	 * regular file except run.json itself and the marker, by path relative to {@code dir} with
	 * {@code /} separators, in sorted order.
	 */
	public static List<RunRecord.Output> inventory(final Path dir) {
		final List<RunRecord.Output> list = new ArrayList<>();
		try (Stream<Path> s = Files.walk(dir)) {
			for (final Path p : s.filter(Files::isRegularFile).sorted().collect(Collectors
				.toList()))
			{
				final String rel = dir.relativize(p).toString().replace('\\', '/');
				if (rel.equals("run.json") || rel.equals(MARKER)) continue;
				list.add(new RunRecord.Output(rel, Files.size(p)));
			}
		}
		catch (final IOException e) {
			throw new InputException("Cannot list the results in " + dir + ": " + e +
				" (nothing was written).");
		}
		return list;
	}

	/** @return where to write while the run goes on */
	public Path path() {
		return work;
	}

	/** @return the folder the results will have when committed (a link's target, resolved) */
	public Path target() {
		return target;
	}

	/**
	 * Moves the finished results into place, unless the run was canceled.
	 *
	 * @throws CancellationException if the run was canceled before the commit
	 * @throws IllegalStateException if a file run.json lists is missing or has another size
	 */
	public void commit() {
		verify();
		synchronized (COMMIT_LOCK) {
			if (canceled.getAsBoolean()) throw new CancellationException();
			try {
				// Still locked: no other run can take the area between this and the rename.
				Files.delete(work.resolve(MARKER));
				move(work, target);
				committed = true;
			}
			catch (final IOException e) {
				// The results are complete: whatever went wrong, they are kept, never deleted.
				kept = true;
				deleteMarker();
				if (!isEmptyOrAbsent(target)) throw new InputException(target + " was filled by " +
					"something else during the run; the results are kept in " + work + " (move " +
					"them elsewhere before running again with the same output).");
				throw new InputException("Cannot move the results from " + work + " to " + target +
					": " + WriteFailures.cause(e) + ". The results are complete and kept in " + work +
					"; move that folder where you want it (it was not deleted).");
			}
			finally {
				if (committed || kept) release();
			}
		}
	}

	/** Deletes the work area unless the results were committed (or kept, see {@link #commit}). */
	@Override
	public void close() {
		if (committed || kept) return;
		try {
			deleteContents(work);
			deleteMarker();
			Files.deleteIfExists(work);
		}
		catch (final IOException e) {
			// Leave it: if its marker is still there, the next run cleans it.
		}
		finally {
			release();
		}
	}

	// -- Helper methods --

	/**
	 * Renames {@code work} to {@code target} in one step. An empty target folder is replaced by
	 * the rename itself (POSIX rename(2)), so there is no moment without either; where the system
	 * refuses that (Windows), the empty folder is removed first.
	 */
	private static void move(final Path work, final Path target) throws IOException {
		try {
			Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (final FileAlreadyExistsException | java.nio.file.AccessDeniedException e) {
			if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS) || !isEmptyOrAbsent(target))
				throw e;
			Files.delete(target);
			Files.move(work, target, StandardCopyOption.ATOMIC_MOVE);
		}
	}

	private static boolean isEmptyOrAbsent(final Path dir) {
		if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) return true;
		try (Stream<Path> s = Files.list(dir)) {
			return s.findAny().isEmpty();
		}
		catch (final IOException e) {
			return false;
		}
	}

	/**
	 * The results are renamed into place at the end, which cannot be done onto a mount point (a
	 * container's volume, a mounted disk): refuse it before any work, with a way out.
	 */
	private static void checkNotMountPoint(final Path target, final Path real, final Path parent) {
		if (!Files.isDirectory(real) || parent == null || !Files.isDirectory(parent)) return;
		try {
			if (Files.getFileStore(real).equals(Files.getFileStore(parent))) return;
		}
		catch (final IOException e) {
			return; // the rename will tell
		}
		throw new InputException(target + " is a mount point (another disk or volume than the " +
			"folder it is in), and HarmonIJ moves its finished results into place in one step, " +
			"which cannot be done onto a mount point. Give a new folder inside it instead, e.g. " +
			real.resolve("results") + " (nothing was written).");
	}

	private static String host() {
		try {
			return java.net.InetAddress.getLocalHost().getHostName();
		}
		catch (final IOException | RuntimeException e) {
			final String h = System.getenv("HOSTNAME");
			return h == null ? "unknown" : h;
		}
	}

	/** @return the identity of the file at {@code p} (not following links), or null if none */
	private static Object fileKey(final Path p) throws IOException {
		try {
			return Files.readAttributes(p, java.nio.file.attribute.BasicFileAttributes.class,
				LinkOption.NOFOLLOW_LINKS).fileKey();
		}
		catch (final NoSuchFileException e) {
			return null;
		}
	}

	/**
	 * One attempt at owning the work area.
	 *
	 * @return the owned folder, or null to try again shortly
	 */
	private static OutputFolder tryOwn(final Path target, final Path real, final Path work,
		final String text, final BooleanSupplier canceled, final boolean late) throws IOException
	{
		final Path m = work.resolve(MARKER);
		try {
			Files.createDirectory(work);
		}
		catch (final FileAlreadyExistsException e) {
			return takeOver(target, real, work, text, canceled, late);
		}
		final FileChannel ch;
		try {
			ch = FileChannel.open(m, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
				StandardOpenOption.WRITE);
		}
		catch (final NoSuchFileException | FileAlreadyExistsException e) {
			return null; // another run removed the new empty folder, or put its marker first
		}
		try {
			try {
				if (tryLock(ch) == null) {
					ch.close();
					return null;
				}
			}
			catch (final IOException e) {
				// No locks on this file system: go on unlocked; the marker's pid and host tell
				// another run whether this one is alive (see unlockable).
			}
			write(ch, text);
		}
		catch (final IOException e) {
			// A marker without its text, or without a lock, would block the next run: remove it.
			ch.close();
			Files.deleteIfExists(m);
			Files.deleteIfExists(work);
			throw e;
		}
		return new OutputFolder(real, work, canceled, text, ch);
	}

	/** Takes over an existing work area left by a dead run; see the class javadoc. */
	private static OutputFolder takeOver(final Path target, final Path real, final Path work,
		final String text, final BooleanSupplier canceled, final boolean late) throws IOException
	{
		final Path m = work.resolve(MARKER);
		if (!Files.isDirectory(work, LinkOption.NOFOLLOW_LINKS)) throw foreign(work, target);
		if (!Files.exists(m, LinkOption.NOFOLLOW_LINKS)) {
			try {
				Files.delete(work); // empty: loses nothing
				return null;
			}
			catch (final NoSuchFileException e) {
				return null;
			}
			catch (final DirectoryNotEmptyException e) {
				if (late) throw foreign(work, target);
				return null;
			}
		}
		final String before;
		final FileChannel ch;
		final Object key;
		try {
			before = new String(Files.readAllBytes(m), StandardCharsets.UTF_8);
			// A marker whose text was never written (its run died at once) is HarmonIJ's too.
			if (!before.startsWith(SIGNATURE) && !SIGNATURE.startsWith(before)) throw foreign(work,
				target);
			key = fileKey(m);
			ch = FileChannel.open(m, StandardOpenOption.READ, StandardOpenOption.WRITE);
		}
		catch (final NoSuchFileException e) {
			return null;
		}
		final FileLock lock;
		try {
			lock = tryLock(ch);
		}
		catch (final IOException e) {
			ch.close();
			throw unlockable(target, work, before, e);
		}
		if (lock == null) {
			ch.close();
			throw busy(target, before);
		}
		try {
			// The lock is this area's only if the marker at the path is still the file locked
			// (its owner deletes it before releasing the lock) and still has the text read.
			if (key == null || !key.equals(fileKey(m)) || !read(ch).equals(before)) {
				lock.release();
				ch.close();
				return null;
			}
			// Left by a dead run: empty it and make it ours.
			deleteContents(work);
			ch.truncate(0);
			write(ch, text);
		}
		catch (final NoSuchFileException e) {
			lock.release(); // removed meanwhile: try again
			ch.close();
			return null;
		}
		catch (final IOException e) {
			lock.release();
			ch.close();
			throw e;
		}
		return new OutputFolder(real, work, canceled, text, ch);
	}

	/**
	 * A file system without locks (NFS mounted {@code nolock}, some network shares): whether the
	 * area's run is alive can be told only for a run on this machine.
	 */
	private static InputException unlockable(final Path target, final Path work,
		final String marker, final IOException e)
	{
		final String host = field(marker, "host");
		String pid = field(marker, "pid");
		boolean alive = true;
		try {
			alive = !host.equals(host()) || ProcessHandle.of(Long.parseLong(pid)).map(
				ProcessHandle::isAlive).orElse(false);
		}
		catch (final NumberFormatException x) {
			pid = "unknown";
		}
		return new InputException(work + " was made by HarmonIJ for " + target + " (pid " + pid +
			" on " + host + ", started " + field(marker, "started") + "), and this file system " +
			"cannot lock files (" + WriteFailures.cause(e) + "), so HarmonIJ cannot tell whether " +
			"that run is still writing. " + (alive ? "If it has ended, delete " + work +
				"; otherwise choose another folder or wait" : "That run has ended: delete " + work +
					" and run again") + " (nothing was written).");
	}

	private static FileLock tryLock(final FileChannel ch) throws IOException {
		try {
			return ch.tryLock(LOCK_POSITION, 1, false);
		}
		catch (final OverlappingFileLockException e) {
			return null; // held in this JVM
		}
	}

	private static void write(final FileChannel ch, final String text) throws IOException {
		final ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
		long pos = 0;
		while (b.hasRemaining())
			pos += ch.write(b, pos);
		ch.force(true);
	}

	private static String read(final FileChannel ch) throws IOException {
		final ByteBuffer b = ByteBuffer.allocate((int) Math.min(ch.size(), 1 << 16));
		long pos = 0;
		while (b.hasRemaining() && ch.read(b, pos) > 0)
			pos = b.position();
		return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
	}

	/** The target with links resolved: a link is written through, never replaced. */
	private static Path realTarget(final Path target) {
		final Path abs = target.toAbsolutePath().normalize();
		try {
			if (Files.isSymbolicLink(abs)) {
				if (!Files.exists(abs)) throw new InputException(target + " is a link to " + Files
					.readSymbolicLink(abs) + ", which does not exist; create that folder or choose " +
					"another output folder (nothing was written).");
				return abs.toRealPath();
			}
			final Path parent = abs.getParent();
			return Files.isDirectory(parent) ? parent.toRealPath().resolve(abs.getFileName())
				: abs;
		}
		catch (final IOException e) {
			throw new InputException("Cannot resolve the output folder " + target + ": " + e +
				". Choose a folder you can write to (nothing was written).");
		}
	}

	private static InputException busy(final Path target, final String marker) {
		return new InputException(target + " is being written by another HarmonIJ run (pid " +
			field(marker, "pid") + ", started " + field(marker, "started") + "); choose another " +
			"folder or wait for that run to end (nothing was written).");
	}

	private static InputException foreign(final Path work, final Path target) {
		return new InputException(work + " is in the way of the output folder " + target +
			": it has no HarmonIJ marker (or is not a folder), so it is not a work area left by a " +
			"HarmonIJ run and was left alone. Look inside, then move or delete it, or choose " +
			"another output folder (nothing was written).");
	}

	private static String field(final String marker, final String key) {
		for (final String line : marker.split("\n"))
			if (line.startsWith(key + "=")) return line.substring(key.length() + 1);
		return "unknown";
	}

	/** @throws IllegalStateException if a file run.json lists is missing or has another size */
	private void verify() {
		final Path runJson = work.resolve("run.json");
		if (!Files.isRegularFile(runJson)) return;
		final List<RunRecord.Output> outputs;
		try {
			outputs = RunRecord.read(new String(Files.readAllBytes(runJson),
				StandardCharsets.UTF_8)).outputs();
		}
		catch (final IOException | RuntimeException e) {
			throw new IllegalStateException("run.json in " + work + " cannot be read back: " + e,
				e);
		}
		if (outputs == null) return;
		final List<String> problems = new ArrayList<>();
		for (final RunRecord.Output entry : outputs) {
			final Path f = work.resolve(entry.file());
			try {
				final long size = Files.size(f);
				if (size != entry.bytes()) problems.add(entry.file() + " has " + size + " bytes, " +
					"run.json says " + entry.bytes());
			}
			catch (final IOException e) {
				problems.add(entry.file() + " is missing (" + e + ")");
			}
		}
		if (!problems.isEmpty()) throw new IllegalStateException("The results for " + target +
			" do not match their run.json, so they were not committed: " + String.join("; ",
				problems.subList(0, Math.min(5, problems.size()))) + (problems.size() > 5 ? "; and " +
					(problems.size() - 5) + " more" : "") + ".");
	}

	private void deleteMarker() {
		try {
			Files.deleteIfExists(work.resolve(MARKER));
		}
		catch (final IOException e) {
			// the next run finds the area as a dead run's
		}
	}

	private void release() {
		try {
			marker.close(); // releases the lock
		}
		catch (final IOException e) {
			// released with the process anyway
		}
		OWNED.remove(work, markerText);
	}

	/** Deletes everything in {@code root} except its marker. */
	private static void deleteContents(final Path root) throws IOException {
		final Path m = root.resolve(MARKER);
		try (Stream<Path> s = Files.walk(root)) {
			for (final Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator)
				if (!p.equals(root) && !p.equals(m)) Files.delete(p);
		}
	}
}
