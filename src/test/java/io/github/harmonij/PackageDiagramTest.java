// SPDX-License-Identifier: MIT
package io.github.harmonij;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

/**
 * The package diagram in docs/architecture.md is generated from the compiled main classes, so it
 * cannot drift from the code: this test computes which of our packages use which (a class of one
 * naming a class of the other in any way the bytecode shows, as {@link ArchitectureTest} counts
 * it) and fails when the block between {@link #BEGIN} and {@link #END} is not what it renders.
 * {@code scripts/architecture-diagram.sh} (this test with {@code -Dharmonij.regenerate=true})
 * rewrites the block.
 * <p>
 * A node is a package with its sub-packages (the layers of {@link ArchitectureTest}) and the
 * number of its top-level classes; an edge is labelled in the text version with the number of
 * the user's top-level classes that use the other package. Lines of code are left out on
 * purpose: they change with nearly every commit, and the block would then fail the build and
 * conflict in every merge. Packages are listed users first, in the order the dependencies give
 * (ties by name), so the block changes only when the architecture does.
 */
class PackageDiagramTest {

	private static final String ROOT = "io.github.harmonij";

	private static final Path DOC = Paths.get("docs/architecture.md");

	static final String BEGIN = "<!-- BEGIN GENERATED: package diagram -->";

	static final String END = "<!-- END GENERATED -->";

	/** The system property that makes the test rewrite the block instead of comparing it. */
	private static final String REGENERATE = "harmonij.regenerate";

	private static final String HOW_TO_REGENERATE = "run scripts/architecture-diagram.sh (or mvn " +
		"test -Dtest=PackageDiagramTest -D" + REGENERATE + "=true) and commit docs/architecture.md";

	@Test
	void theDocumentedDiagramIsTheCodes() throws IOException {
		final String doc = new String(Files.readAllBytes(DOC), StandardCharsets.UTF_8);
		final int begin = doc.indexOf(BEGIN), end = doc.indexOf(END, begin);
		assertTrue(begin >= 0 && end > begin, DOC + " has no block between " + BEGIN + " and " + END +
			": put the two markers where the diagram goes, then " + HOW_TO_REGENERATE);
		final String generated = "\n" + render(Graph.of(new ClassFileImporter().withImportOption(
			ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT)));
		if (Boolean.getBoolean(REGENERATE)) {
			Files.write(DOC, (doc.substring(0, begin + BEGIN.length()) + generated + doc.substring(
				end)).getBytes(StandardCharsets.UTF_8));
			return;
		}
		assertEquals(generated, doc.substring(begin + BEGIN.length(), end), "The package diagram " +
			"in " + DOC + " is not the code's: " + HOW_TO_REGENERATE);
	}

	// -- Helper methods --

	/** Our packages, their classes and which use which, from the bytecode. */
	static final class Graph {

		/** Package (first name under the root) to the names of its top-level classes. */
		final Map<String, Set<String>> classes = new TreeMap<>();

		/** Package to its sub-packages (names under the root), itself included. */
		final Map<String, Set<String>> packages = new TreeMap<>();

		/** User package to used package to the user's top-level classes that use it. */
		final Map<String, Map<String, Set<String>>> uses = new TreeMap<>();

		static Graph of(final JavaClasses imported) {
			final Graph g = new Graph();
			for (final JavaClass c : imported) {
				if (c.getSimpleName().equals("package-info")) continue;
				final String from = layer(c), user = topLevel(c).getName();
				g.packages.computeIfAbsent(from, k -> new TreeSet<>()).add(c.getPackageName()
					.substring(ROOT.length() + 1));
				g.classes.computeIfAbsent(from, k -> new TreeSet<>()).add(user);
				g.uses.computeIfAbsent(from, k -> new TreeMap<>());
				for (final Dependency d : c.getDirectDependenciesFromSelf()) {
					final JavaClass target = d.getTargetClass().getBaseComponentType();
					if (!target.getPackageName().startsWith(ROOT + ".")) continue;
					final String to = layer(target);
					if (!to.equals(from)) g.uses.get(from).computeIfAbsent(to, k -> new TreeSet<>())
						.add(user);
				}
			}
			return g;
		}

		/**
		 * @return the packages, each after every package it uses (ties by name); packages in a
		 *         cycle, which {@link ArchitectureTest} refuses, come last by name
		 */
		List<String> bottomUp() {
			final List<String> order = new ArrayList<>();
			final Set<String> left = new TreeSet<>(classes.keySet());
			while (!left.isEmpty()) {
				final String next = left.stream().filter(p -> order.containsAll(uses.get(p)
					.keySet())).findFirst().orElse(left.iterator().next());
				order.add(next);
				left.remove(next);
			}
			return order;
		}
	}

	/** The Mermaid flowchart (users above what they use) and the same as text. */
	static String render(final Graph g) {
		final List<String> topDown = g.bottomUp();
		Collections.reverse(topDown);
		final StringBuilder s = new StringBuilder();
		s.append("<!-- Made by PackageDiagramTest from the compiled classes; do not edit by hand:\n")
			.append("     scripts/architecture-diagram.sh rewrites it. -->\n\n");
		s.append("```mermaid\nflowchart TD\n");
		for (final String p : topDown)
			s.append("    ").append(p).append("[\"").append(String.join(", ", g.packages.get(p)))
				.append("<br/>").append(count(g.classes.get(p).size())).append("\"]\n");
		for (final String p : topDown)
			for (final String q : topDown)
				if (g.uses.get(p).containsKey(q)) s.append("    ").append(p).append(" --> ").append(q)
					.append('\n');
		s.append("```\n\n");
		s.append("The same as text: each package, its number of classes, and the packages it uses\n")
			.append("with the number of its classes that do.\n\n```text\n");
		int width = 0;
		for (final String p : topDown)
			width = Math.max(width, p.length());
		for (final String p : topDown) {
			final List<String> used = new ArrayList<>();
			for (final String q : topDown)
				if (g.uses.get(p).containsKey(q)) used.add(q + " (" + g.uses.get(p).get(q).size() + ")");
			s.append(String.format(Locale.ROOT, "%-" + width + "s %11s  uses %s\n", p,
				count(g.classes.get(p).size()), used.isEmpty() ? "nothing of ours" : String.join(", ",
					used)));
		}
		return s.append("```\n").toString();
	}

	private static String count(final int classes) {
		return classes + (classes == 1 ? " class" : " classes");
	}

	/** The package directly under the root that holds this class, e.g. core for core.stats. */
	private static String layer(final JavaClass c) {
		final String relative = c.getPackageName().substring(ROOT.length() + 1);
		final int dot = relative.indexOf('.');
		return dot < 0 ? relative : relative.substring(0, dot);
	}

	/** The class itself, or for a nested, inner, local or anonymous class the one it is in. */
	private static JavaClass topLevel(final JavaClass c) {
		JavaClass t = c;
		while (t.getEnclosingClass().isPresent())
			t = t.getEnclosingClass().get();
		return t;
	}
}
