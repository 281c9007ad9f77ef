// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import java.awt.GraphicsEnvironment;
import java.util.ArrayList;
import java.util.List;

import ij.IJ;

/**
 * Messages for ImageJ's Log window, in lines that fit it. The Log opens 400 pixels wide and
 * never wraps, so a one-paragraph run summary showed its first 45 characters and hid the rest
 * (the numbers and where the results went) behind the right edge.
 * <p>
 * A message keeps its words and its order: each line of it, and each sentence, starts a new
 * line, long ones are wrapped at spaces, and every line after the first is indented by two
 * spaces so that one message reads as one block. A word longer than a line (a path) is not cut,
 * so it can still be copied whole; it gets a line of its own.
 */
public final class LogLines {

	/**
	 * Characters per line. ImageJ's Log font (SansSerif 14, DejaVu Sans on Linux) in the default
	 * 400-pixel window shows 47 digits or about 50 characters of text; 44 leaves room for wide
	 * letters.
	 */
	public static final int WIDTH = 44;

	/** What starts every continuation line of a message. */
	private static final String INDENT = "  ";

	/** False where the Log is not a window: see {@link #keepWhole()}. */
	private static volatile boolean wrapping = true;

	private LogLines() {}

	/**
	 * Writes {@code message} to the Log window in lines of at most {@link #WIDTH} characters; as
	 * it is where there is no Log window (headless, or after {@link #keepWhole()}).
	 */
	public static void log(final String message) {
		if (!wrapping || GraphicsEnvironment.isHeadless()) {
			IJ.log(message);
			return;
		}
		for (final String line : wrap(message, WIDTH))
			IJ.log(line);
	}

	/**
	 * Logs messages whole from now on: for a process whose Log is printed to standard output
	 * ({@code harmonij macro}), where the terminal wraps and scripts search whole lines.
	 */
	static void keepWhole() {
		wrapping = false;
	}

	/**
	 * @return the lines of {@code message}: at each line break and each sentence end (". " before
	 *         a capital letter or a digit), and between words where a line would be longer than
	 *         {@code width}; lines after the first start with two spaces
	 */
	public static List<String> wrap(final String message, final int width) {
		final List<String> lines = new ArrayList<>();
		for (final String given : message.split("\\R"))
			for (final String sentence : sentences(given)) {
				// An item of a list ("  - ...") keeps its own indent, and its continuations line up
				// with its text.
				final int own = leadingSpaces(sentence);
				final String ownIndent = sentence.substring(0, own);
				final String first = (lines.isEmpty() ? "" : INDENT) + ownIndent;
				final String next = INDENT + ownIndent + (own > 0 ? INDENT : "");
				StringBuilder line = new StringBuilder(first);
				int words = 0;
				for (final String word : sentence.substring(own).split(" +")) {
					if (word.isEmpty()) continue;
					if (words > 0 && line.length() + 1 + word.length() > width) {
						lines.add(line.toString());
						line = new StringBuilder(next);
						words = 0;
					}
					if (words > 0) line.append(' ');
					line.append(word);
					words++;
				}
				if (words > 0) lines.add(line.toString());
			}
		if (lines.isEmpty()) lines.add("");
		return lines;
	}

	// -- Helper methods --

	/** Splits at ". " followed by a capital letter or a digit ("e.g. fslsplit" stays whole). */
	private static List<String> sentences(final String line) {
		final List<String> parts = new ArrayList<>();
		int start = 0;
		for (int i = 0; i + 2 < line.length(); i++)
			if (line.charAt(i) == '.' && line.charAt(i + 1) == ' ' && (Character.isUpperCase(line
				.charAt(i + 2)) || Character.isDigit(line.charAt(i + 2))))
			{
				parts.add(line.substring(start, i + 1));
				start = i + 2;
			}
		parts.add(line.substring(start));
		return parts;
	}

	private static int leadingSpaces(final String s) {
		int n = 0;
		while (n < s.length() && s.charAt(n) == ' ')
			n++;
		return n;
	}
}
