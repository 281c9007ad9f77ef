// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.File;
import java.nio.charset.Charset;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;

import io.github.harmonij.core.InputException;

/**
 * Paths made from text the user gave (a command-line flag, a macro option, a manifest cell), with
 * a clear refusal when the platform cannot name them.
 * <p>
 * The JVM encodes file names in the charset of the locale it started in ({@code sun.jnu.encoding}).
 * Under {@code LC_ALL=C} (cron jobs, containers) that is ASCII, so a name such as
 * {@code Süb-001.nii.gz} cannot be made into a {@link Path}: Java throws
 * {@link InvalidPathException}. The {@code harmonij} launcher starts Java under a UTF-8 locale to
 * avoid it; here the remaining cases become an {@link InputException} that names the flag and the
 * value and says what to do. Thread-safe (no state).
 */
public final class UserPaths {

	private UserPaths() {}

	/**
	 * @param what how the user gave the path, e.g. "--manifest" or "manifest="
	 * @param text the path as given
	 * @return the path
	 * @throws InputException if it cannot be a path here; the message names {@code what} and
	 *           {@code text}
	 */
	public static Path of(final String what, final String text) {
		try {
			return Paths.get(text);
		}
		catch (final InvalidPathException e) {
			throw refusal(what, text, e);
		}
	}

	/** As {@link #of(String, String)}, for a {@link File}. */
	public static Path of(final String what, final File file) {
		return of(what, file.getPath());
	}

	/**
	 * @param what how the user gave the path, e.g. "--manifest"; null if unknown
	 * @param text the path as given
	 * @param e why Java refused it
	 * @return the exception to throw: the locale's advice if the locale's charset cannot encode
	 *         {@code text}, else Java's reason
	 */
	public static InputException refusal(final String what, final String text,
		final InvalidPathException e)
	{
		final String where = (what == null ? "" : what + (what.endsWith("=") ? "" : " ")) + text;
		if (unmappable(text)) return new InputException(where + ": this path " + localeAdvice() +
			".", e);
		return new InputException(where + ": not a valid path (" + e.getReason() + "). Correct it.",
			e);
	}

	/** @return whether the locale's charset for file names cannot encode {@code text} */
	public static boolean unmappable(final String text) {
		try {
			return !Charset.forName(charset()).newEncoder().canEncode(text);
		}
		catch (final RuntimeException e) {
			return false; // an unknown charset name: we cannot tell
		}
	}

	/** @return the charset Java encodes file names in, e.g. "ANSI_X3.4-1968" under LC_ALL=C */
	public static String charset() {
		final String jnu = System.getProperty("sun.jnu.encoding");
		return jnu != null ? jnu : Charset.defaultCharset().name();
	}

	/**
	 * @return what to say after a name the locale cannot encode: "cannot be used under the current
	 *         locale (ANSI_X3.4-1968); run under a UTF-8 locale, e.g. LC_ALL=C.UTF-8"
	 */
	public static String localeAdvice() {
		return "cannot be used under the current locale (" + charset() +
			"); run under a UTF-8 locale, e.g. LC_ALL=C.UTF-8";
	}
}
