// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import java.io.File;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
	 * Refuses, before any work, two outputs that are one file, or an output that is one of the
	 * inputs (which it would overwrite or hide).
	 *
	 * @param outputs each output file by how the user gave it ("out", "--model-out"); null or
	 *          empty files are skipped
	 * @param inputs the input files, likewise
	 * @throws InputException naming both, and the file
	 */
	public static void checkDistinct(final Map<String, File> outputs,
		final Map<String, File> inputs)
	{
		final List<Map.Entry<String, File>> seen = new ArrayList<>();
		for (final Map.Entry<String, File> o : outputs.entrySet()) {
			if (isEmpty(o.getValue())) continue;
			for (final Map.Entry<String, File> s : seen)
				if (same(o.getValue(), s.getValue())) throw new InputException(s.getKey() +
					" and " + o.getKey() + " are the same file, " + o.getValue() + "; give each " +
					"output its own name (nothing was written).");
			for (final Map.Entry<String, File> i : inputs.entrySet())
				if (!isEmpty(i.getValue()) && same(o.getValue(), i.getValue()))
					throw new InputException(o.getKey() + " is the input " + i.getKey() +
						" itself, " + o.getValue() + "; write to a new file (nothing was written).");
			seen.add(o);
		}
	}

	/** @return {@code key, file, key, file, ...} as an ordered map, for {@link #checkDistinct} */
	public static Map<String, File> files(final Object... keyThenFile) {
		final Map<String, File> map = new LinkedHashMap<>();
		for (int i = 0; i + 1 < keyThenFile.length; i += 2)
			map.put((String) keyThenFile[i], (File) keyThenFile[i + 1]);
		return map;
	}

	/** @return whether two names are one file: equal once absolute, or one existing file */
	public static boolean same(final File a, final File b) {
		try {
			final Path p = a.getAbsoluteFile().toPath().normalize();
			final Path q = b.getAbsoluteFile().toPath().normalize();
			if (p.equals(q)) return true;
			return Files.exists(p) && Files.exists(q) && Files.isSameFile(p, q);
		}
		catch (final IOException | InvalidPathException e) {
			return false; // reported where the path is used
		}
	}

	private static boolean isEmpty(final File f) {
		return f == null || f.getPath().isEmpty();
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
