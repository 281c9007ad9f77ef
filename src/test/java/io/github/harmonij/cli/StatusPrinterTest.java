// SPDX-License-Identifier: MIT
package io.github.harmonij.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * The command line's progress: a line per step, percentages only for steps of a second or more,
 * one progress line (rewritten in a terminal, growing in a file), never going back. The clock is
 * the test's, so no test waits or depends on the machine's speed.
 */
class StatusPrinterTest {

	static final long MS = 1_000_000L;

	final AtomicLong now = new AtomicLong();

	final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

	StatusPrinter printer(final boolean terminal) {
		return new StatusPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8), terminal,
			now::get);
	}

	String printed() {
		return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
	}

	@Test
	void aShortStepPrintsNoPercentages() {
		final StatusPrinter p = printer(false);
		p.status("Fitting ComBat to 9 subjects x 5 features");
		for (int done = 1; done <= 4; done++) {
			now.addAndGet(15 * MS); // 0.06 s in all
			p.progress(done, 4);
		}
		p.status("Writing the model and summary");
		p.finish();
		assertEquals("Fitting ComBat to 9 subjects x 5 features\nWriting the model and summary\n",
			printed());
	}

	@Test
	void aLongStepInAFileGetsOneGrowingLineThatEndsAt100() {
		final StatusPrinter p = printer(false);
		p.status("Reading 60 images");
		for (int done = 1; done <= 60; done++) {
			now.addAndGet(50 * MS); // 3 s in all: shown from 1 s, that is from image 20
			p.progress(done, 60);
		}
		p.status("Fitting ComBat");
		p.finish();
		assertEquals("Reading 60 images\n  30 % 40 % 50 % 60 % 70 % 80 % 90 % 100 %\n" +
			"Fitting ComBat\n", printed());
	}

	@Test
	void aLongStepInATerminalRewritesItsOwnLine() {
		final StatusPrinter p = printer(true);
		p.status("Reading 4 images");
		now.addAndGet(1500 * MS);
		p.progress(1, 4);
		p.progress(2, 4);
		p.progress(4, 4);
		p.status("Fitting ComBat");
		p.finish();
		assertEquals("Reading 4 images\rReading 4 images  25 %\rReading 4 images  50 %" +
			"\rReading 4 images  100 %\nFitting ComBat\n", printed());
	}

	@Test
	void progressNeverGoesBackWithinAStep() {
		// worker threads may report their blocks out of order: 3 of 4 after 4 of 4
		final StatusPrinter p = printer(true);
		p.status("Harmonising");
		now.addAndGet(2000 * MS);
		p.progress(4, 4);
		p.progress(3, 4);
		p.finish();
		assertEquals("Harmonising\rHarmonising  100 %\n", printed());
	}

	@Test
	void aNewStepStartsItsOwnQuietSecond() {
		final StatusPrinter p = printer(false);
		p.status("Reading");
		now.addAndGet(5000 * MS);
		p.status("Fitting");
		now.addAndGet(10 * MS);
		p.progress(1, 2); // 10 ms into the step: not shown, though 5 s into the run
		p.finish();
		assertEquals("Reading\nFitting\n", printed());
	}
}
