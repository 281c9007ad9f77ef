// SPDX-License-Identifier: MIT
package io.github.harmonij.ij1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Messages for ImageJ's 400-pixel Log window: short lines, every word kept, in order. */
class LogLinesTest {

	/** The summary of a harmonisation run, as the command returns it. */
	private static final String RUN = "Harmonised 12 images from 3 sites (235865 voxels in the " +
		"mask; 3646 left unchanged: 0 non-finite, 3646 constant, 0 constant within a site) in " +
		"4.3 s. Results: /tmp/a-long-folder-name/for-the-results/of-this-run/combat";

	@Test
	void aRunSummaryFitsTheLogAndKeepsItsWords() {
		final List<String> lines = LogLines.wrap(RUN, LogLines.WIDTH);
		assertTrue(lines.size() > 3, "wrapped: " + lines);
		for (final String line : lines)
			assertTrue(line.length() <= LogLines.WIDTH || !line.trim().contains(" "),
				"only a single word (a path) may be longer than a line: \"" + line + "\"");
		assertEquals(words(RUN), words(String.join(" ", lines)), "the same words, in order");
		// the first line starts the message; the others are indented under it
		assertTrue(lines.get(0).startsWith("Harmonised 12 images"), lines.get(0));
		for (final String line : lines.subList(1, lines.size()))
			assertTrue(line.startsWith("  ") && !line.startsWith("   "), "\"" + line + "\"");
		// a new sentence starts a line; the path is whole, on a line of its own
		assertTrue(lines.contains("  Results:"), lines.toString());
		assertEquals("  /tmp/a-long-folder-name/for-the-results/of-this-run/combat", lines.get(
			lines.size() - 1));
	}

	@Test
	void sentencesEndAtAFullStopBeforeACapitalNotWithinEg() {
		assertEquals(List.of("It has 2 volumes.", "  Split it first, e.g.", "  fslsplit.",
			"  Nothing was written."), LogLines.wrap("It has 2 volumes. Split it first, e.g. " +
				"fslsplit. Nothing was written.", 26));
	}

	@Test
	void itemsOfAListKeepTheirIndentAndLineUpTheirContinuations() {
		assertEquals(List.of("The scans cannot be compared:", "    - a.nii.gz has 2 volumes",
			"      (4x4x4x2)", "    - b.nii.gz is off the grid"), LogLines.wrap(
				"The scans cannot be compared:\n  - a.nii.gz has 2 volumes (4x4x4x2)\n" +
					"  - b.nii.gz is off the grid", 30));
	}

	@Test
	void aShortMessageIsOneLine() {
		assertEquals(List.of("Simulated 12 subjects."), LogLines.wrap("Simulated 12 subjects.",
			LogLines.WIDTH));
		assertEquals(List.of(""), LogLines.wrap("", LogLines.WIDTH));
	}

	private static List<String> words(final String s) {
		return List.of(s.trim().split("\\s+"));
	}
}
