// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

/**
 * A problem with what the user gave (a file, a table cell, an option), as opposed to a bug.
 * <p>
 * The message says where (file; row and subject; column; voxel x,y,z), what is wrong (found
 * against expected) and what to do. Its first line is self-contained: macros and the command line
 * print it verbatim. When several problems are found at once they are listed one per line.
 * Commands turn it into {@code cancel(message)}; the command line exits with status 2.
 */
public class InputException extends IllegalArgumentException {

	private static final long serialVersionUID = 1L;

	public InputException(final String message) {
		super(message);
	}

	public InputException(final String message, final Throwable cause) {
		super(message, cause);
	}

	/**
	 * Throws one exception listing every problem, if there are any.
	 *
	 * @param what a heading, e.g. "cohort.csv has 3 problems:"; may be null
	 * @param problems one message per problem
	 */
	public static void throwIfAny(final String what, final java.util.List<String> problems) {
		if (problems.isEmpty()) return;
		if (problems.size() == 1) throw new InputException(problems.get(0));
		final StringBuilder sb = new StringBuilder();
		sb.append(what != null ? what : problems.size() + " problems were found:");
		for (final String p : problems)
			sb.append(System.lineSeparator()).append("  - ").append(p);
		throw new InputException(sb.toString());
	}
}
