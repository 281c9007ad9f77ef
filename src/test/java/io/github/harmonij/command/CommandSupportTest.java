// SPDX-License-Identifier: MIT
package io.github.harmonij.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.scijava.Context;
import org.scijava.ItemIO;
import org.scijava.ItemVisibility;
import org.scijava.app.StatusService;
import org.scijava.command.ContextCommand;
import org.scijava.log.LogService;
import org.scijava.plugin.Parameter;

/**
 * The parameter walk behind run.json's invocation ({@link CommandSupport#parameters}): the
 * inputs a user sets, by macro key, in declaration order with the superclass's first; services,
 * the context, outputs and messages left out; a parameter added to a command recorded by itself.
 */
class CommandSupportTest {

	/** A command's base class: its inputs come first. */
	abstract static class Base extends ContextCommand {

		@Parameter
		private LogService log;

		@Parameter(label = "Manifest")
		File manifest = new File("cohort.csv");

		@Parameter(label = "Site column")
		String batch = "site";

		@Override
		public void run() {
			// the walk reads the fields only
		}
	}

	/** A command with every kind of field the walk meets. */
	static class Harmonise extends Base {

		@Parameter
		private Context context;

		@Parameter(visibility = ItemVisibility.MESSAGE)
		private final String header = "Harmonise";

		@Parameter(label = "Covariates", required = false)
		String covariates = "age,sex";

		@Parameter
		private StatusService status;

		@Parameter(label = "Mask", required = false)
		File mask;

		@Parameter(label = "Report", required = false)
		File report = new File("");

		@Parameter(label = "FDR q")
		double q = 0.05;

		@Parameter(type = ItemIO.OUTPUT)
		private String summary;

		/** A field that is not a parameter. */
		int runs;
	}

	/** The same command with one more parameter, and no other code. */
	static class HarmoniseMore extends Harmonise {

		@Parameter(label = "Threads")
		int threads = 2;
	}

	@Test
	void inputsInDeclarationOrderBaseClassFirst() {
		final Map<String, Object> expected = new LinkedHashMap<>();
		expected.put("manifest", new File("cohort.csv").getAbsolutePath());
		expected.put("batch", "site");
		expected.put("covariates", "age,sex");
		expected.put("mask", "");
		expected.put("report", "");
		expected.put("q", 0.05);
		assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(CommandSupport
			.parameters(new Harmonise()).entrySet()), "order and values");
		assertEquals(List.of("manifest", "mask", "report"), new ArrayList<>(CommandSupport
			.fileParameters(new Harmonise())));
	}

	@Test
	void aNewParameterIsRecordedByItself() {
		final List<String> keys = new ArrayList<>(CommandSupport.parameters(new HarmoniseMore())
			.keySet());
		assertEquals(List.of("manifest", "batch", "covariates", "mask", "report", "q", "threads"),
			keys);
	}

	@Test
	void invocationNamesTheCommandFirst() {
		final Map<String, Object> invocation = CommandSupport.invocation("combat",
			new Harmonise());
		assertEquals("combat", invocation.get("command"));
		assertEquals("command", invocation.keySet().iterator().next());
		final Map<String, Object> options = new LinkedHashMap<>();
		options.put("batch", "site");
		options.put("covariates", "age,sex");
		assertEquals("batch=site covariates=age,sex", CommandSupport.optionsText(options));
	}
}
