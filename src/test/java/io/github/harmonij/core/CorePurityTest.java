// SPDX-License-Identifier: MIT
package io.github.harmonij.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/** The package tree is the architecture: core imports no GUI or framework classes. */
class CorePurityTest {

	private static final Pattern FORBIDDEN = Pattern.compile(
		"^\\s*import\\s+(static\\s+)?(ij\\.|java\\.awt|javax\\.swing|org\\.scijava\\.|io\\.github\\.harmonij\\.(io|command|ij1|display|cli)\\.).*",
		Pattern.MULTILINE);

	@Test
	void coreHasNoGuiOrFrameworkImports() throws IOException {
		final Path core = Paths.get("src/main/java/io/github/harmonij/core");
		assertTrue(Files.isDirectory(core), "run from the project root: " + core.toAbsolutePath());
		final List<String> bad = new ArrayList<>();
		int files = 0;
		try (Stream<Path> s = Files.walk(core)) {
			for (final Path p : (Iterable<Path>) s.filter(f -> f.toString().endsWith(".java"))::iterator) {
				files++;
				final String text = new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
				final var m = FORBIDDEN.matcher(text);
				while (m.find())
					bad.add(p + ": " + m.group().trim());
			}
		}
		assertTrue(files > 3, "core sources found: " + files);
		assertTrue(bad.isEmpty(), "core must stay pure:\n" + String.join("\n", bad));
	}
}
