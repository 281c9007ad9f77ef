// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.ReadOnlyFileSystemException;

/**
 * What a failed write means to the user: the cause in words ("the disk is full", "your disk
 * quota is used up", "permission denied", "the file system is read-only") and what to do, instead of an exception's class name. Every writer's message ends with
 * {@link #advice}, so that a full disk and a folder without write permission each get their own
 * remedy.
 */
public final class WriteFailures {

	private WriteFailures() {}

	/** @return the cause in words, e.g. "the disk is full (No space left on device)" */
	public static String cause(final IOException e) {
		final String reason = e instanceof FileSystemException ? ((FileSystemException) e)
			.getReason() : e.getMessage();
		if (quotaExceeded(e)) return "your disk quota is used up (" + (reason == null
			? "Disk quota exceeded" : reason) + ")";
		if (diskFull(e)) return "the disk is full (" + (reason == null ? "No space left on device"
			: reason) + ")";
		if (e instanceof AccessDeniedException) return "permission denied";
		if (readOnly(e)) return "the file system is read-only";
		if (e instanceof NoSuchFileException) {
			final String file = ((NoSuchFileException) e).getFile();
			return (file == null ? "a file" : file) + " does not exist (was its folder removed " +
				"during the run?)";
		}
		if (reason != null && !reason.isEmpty()) return reason;
		return e.getClass().getSimpleName();
	}

	/** @return what to do about it, with the promise that nothing was written */
	public static String advice(final IOException e) {
		if (quotaExceeded(e)) return "Free some space (delete files you no longer need), or ask " +
			"for more quota (nothing was written).";
		if (diskFull(e)) return "Free some space on that disk, or choose an output folder on " +
			"another disk (nothing was written).";
		if (e instanceof AccessDeniedException || readOnly(e))
			return "Choose an output folder you can write to (nothing was written).";
		return "Check the disk space and permissions (nothing was written).";
	}

	/** @return "cause. Advice" for the end of a message that names the file */
	public static String explain(final IOException e) {
		return cause(e) + ". " + advice(e);
	}

	private static boolean diskFull(final IOException e) {
		return says(e, "No space left on device") || says(e,
			"There is not enough space on the disk");
	}

	/** Linux's EDQUOT: the user's quota, not the disk, is full. */
	private static boolean quotaExceeded(final IOException e) {
		return says(e, "Disk quota exceeded");
	}

	/** Linux's EROFS arrives as a FileSystemException with this reason. */
	private static boolean readOnly(final IOException e) {
		for (Throwable t = e; t != null; t = t.getCause())
			if (t instanceof ReadOnlyFileSystemException) return true;
		return says(e, "Read-only file system");
	}

	/** @return whether {@code e} or one of its causes has {@code text} in its message */
	private static boolean says(final IOException e, final String text) {
		for (Throwable t = e; t != null; t = t.getCause()) {
			final String m = t.getMessage();
			if (m != null && m.contains(text)) return true;
		}
		return false;
	}
}
