// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.ReadOnlyFileSystemException;

/**
 * What a failed write means to the user: the cause in words ("the disk is full", "permission
 * denied") and what to do, instead of an exception's class name. Every writer's message ends with
 * {@link #advice}, so that a full disk and a folder without write permission each get their own
 * remedy.
 */
public final class WriteFailures {

	private WriteFailures() {}

	/** @return the cause in words, e.g. "the disk is full (No space left on device)" */
	public static String cause(final IOException e) {
		final String reason = e instanceof FileSystemException ? ((FileSystemException) e)
			.getReason() : e.getMessage();
		if (diskFull(e)) return "the disk is full (" + (reason == null ? "No space left on device"
			: reason) + ")";
		if (e instanceof AccessDeniedException) return "permission denied";
		if (e instanceof NoSuchFileException) return "the folder was removed during the run";
		if (reason != null && !reason.isEmpty()) return reason;
		return e.getClass().getSimpleName();
	}

	/** @return what to do about it, with the promise that nothing was written */
	public static String advice(final IOException e) {
		if (diskFull(e)) return "Free some space on that disk, or choose an output folder on " +
			"another disk (nothing was written).";
		if (e instanceof AccessDeniedException || e.getCause() instanceof ReadOnlyFileSystemException)
			return "Choose an output folder you can write to (nothing was written).";
		return "Check the disk space and permissions (nothing was written).";
	}

	/** @return "cause. Advice" for the end of a message that names the file */
	public static String explain(final IOException e) {
		return cause(e) + ". " + advice(e);
	}

	private static boolean diskFull(final IOException e) {
		for (Throwable t = e; t != null; t = t.getCause()) {
			final String m = t.getMessage();
			if (m != null && (m.contains("No space left on device") || m.contains(
				"Disk quota exceeded") || m.contains("There is not enough space on the disk")))
				return true;
		}
		return false;
	}
}
