// SPDX-License-Identifier: MIT
package io.github.harmonij.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.harmonij.core.InputException;

class CsvTest {

	@TempDir
	Path dir;

	@Test
	void quotedFieldsWithDoubledQuotesCommasAndNewlines() {
		final String text = "id,note,site\r\n" + "1,\"a, b\",\"he said \"\"hi\"\"\"\r\n" +
			"2,\"line one\nline two\",Zürich\r\n" + "3,  plain  , \"quoted after space\" \r\n";
		final CsvTable t = Csv.parse(text, "cohort.csv");
		assertEquals(List.of("id", "note", "site"), t.header());
		assertEquals(3, t.nRows());
		assertEquals("a, b", t.cell(0, 1));
		assertEquals("he said \"hi\"", t.cell(0, 2));
		assertEquals("line one\nline two", t.cell(1, 1));
		assertEquals("Zürich", t.cell(1, 2));
		assertEquals("  plain  ", t.cell(2, 1), "unquoted values are kept as written");
		assertEquals("quoted after space", t.cell(2, 2));
		assertEquals(2, t.lineOf(0));
		assertEquals(3, t.lineOf(1));
		assertEquals(5, t.lineOf(2), "the embedded newline moves the next row to line 5");
		assertEquals(',', t.delimiter());
	}

	@Test
	void bomCrlfUnicodeAndTrimmedHeaderFromFile() throws IOException {
		final Path f = dir.resolve("cohort.csv");
		final byte[] body = (" subject , site \r\nsub-01,Zürich\r\nsub-02,São Paulo\r\n")
			.getBytes(StandardCharsets.UTF_8);
		final byte[] bytes = new byte[body.length + 3];
		bytes[0] = (byte) 0xef;
		bytes[1] = (byte) 0xbb;
		bytes[2] = (byte) 0xbf;
		System.arraycopy(body, 0, bytes, 3, body.length);
		Files.write(f, bytes);
		final CsvTable t = Csv.read(f);
		assertEquals(List.of("subject", "site"), t.header());
		assertEquals(0, t.column("subject"), "the BOM is not part of the first name");
		assertEquals(-1, t.column("age"));
		assertEquals("Zürich", t.cell(0, 1));
		assertEquals("São Paulo", t.cell(1, 1));
		assertEquals("cohort.csv", t.name());
	}

	@Test
	void utf16WithBomIsRead() throws IOException {
		final Path f = dir.resolve("excel.txt");
		final byte[] body = "subject\tsite\nsub-01\tZürich\n".getBytes(StandardCharsets.UTF_16LE);
		final byte[] bytes = new byte[body.length + 2];
		bytes[0] = (byte) 0xff;
		bytes[1] = (byte) 0xfe;
		System.arraycopy(body, 0, bytes, 2, body.length);
		Files.write(f, bytes);
		final CsvTable t = Csv.read(f);
		assertEquals('\t', t.delimiter());
		assertEquals("Zürich", t.cell(0, 1));
	}

	@Test
	void blankLinesAndEmptyRowsAreSkippedButLinesCounted() {
		final CsvTable t = Csv.parse("a,b\n1,2\n\n , \n3,4\n\n", "t.csv");
		assertEquals(2, t.nRows());
		assertEquals("3", t.cell(1, 0));
		assertEquals(5, t.lineOf(1));
		final CsvTable noFinalNewline = Csv.parse("a,b\n1,2", "t.csv");
		assertEquals("2", noFinalNewline.cell(0, 1));
		final CsvTable lastEmpty = Csv.parse("a,b\n1,\n", "t.csv");
		assertEquals("", lastEmpty.cell(0, 1));
		final CsvTable quotedEmpty = Csv.parse("a\n\"\"\n", "t.csv");
		assertEquals(1, quotedEmpty.nRows(), "a quoted empty cell is a row, not a blank line");
	}

	@Test
	void oldMacLineEndsAndTrailingEmptyCells() {
		final CsvTable t = Csv.parse("a,b\r1,2,,\r3,4\r", "t.csv");
		assertEquals(2, t.nRows());
		assertEquals("2", t.cell(0, 1));
		assertEquals(3, t.lineOf(1));
	}

	@Test
	void semicolonAndTabDelimitersAreDetectedFromTheHeader() {
		final CsvTable semi = Csv.parse("subject;site;icv\nsub-01;Zürich;1,5\n", "eu.csv");
		assertEquals(';', semi.delimiter());
		assertEquals("1,5", semi.cell(0, 2));
		final CsvTable tab = Csv.parse("subject\tsite\nsub-01\tA, B\n", "t.tsv");
		assertEquals('\t', tab.delimiter());
		assertEquals("A, B", tab.cell(0, 1));
		final CsvTable comma = Csv.parse("a,b;c\n1,2;3\n", "c.csv");
		assertEquals(',', comma.delimiter(), "a comma in the header wins");
	}

	@Test
	void unterminatedQuoteNamesFileAndLine() {
		final InputException e = assertThrows(InputException.class, () -> Csv.parse(
			"a,b\n1,2\n3,\"open\n4,5\n", "cohort.csv"));
		assertTrue(e.getMessage().startsWith("cohort.csv line 3: unterminated quoted field"), e
			.getMessage());
	}

	@Test
	void textAfterClosingQuoteIsReported() {
		final InputException e = assertThrows(InputException.class, () -> Csv.parse(
			"a,b\n1,\"x\"y\n", "cohort.csv"));
		assertTrue(e.getMessage().contains("cohort.csv line 2: text after the closing quote"), e
			.getMessage());
	}

	@Test
	void wrongFieldCountsAreAllListed() {
		final InputException e = assertThrows(InputException.class, () -> Csv.parse(
			"a,b,c,d,e\n1,2,3,4,5\n1,2,3,4\n1,2,3,4,5\n1,2,3,4\n1,2,3,4,5,6\n", "cohort.csv"));
		final String m = e.getMessage();
		assertTrue(m.startsWith("cohort.csv has 3 problems"), m);
		assertTrue(m.contains("cohort.csv row 3 has 4 fields but the header has 5"), m);
		assertTrue(m.contains("cohort.csv row 5 has 4 fields but the header has 5"), m);
		assertTrue(m.contains("cohort.csv row 6 has 6 fields but the header has 5"), m);
	}

	@Test
	void duplicateColumnNamesAreReported() {
		final InputException e = assertThrows(InputException.class, () -> Csv.parse(
			"subject,age,site,age\n", "cohort.csv"));
		assertTrue(e.getMessage().contains("column \"age\" appears twice in the header " +
			"(columns 2 (B) and 4 (D))"), e.getMessage());
	}

	@Test
	void emptyMissingAndNonUtf8FilesAreReported() throws IOException {
		final Path empty = Files.write(dir.resolve("empty.csv"), new byte[0]);
		assertTrue(assertThrows(InputException.class, () -> Csv.read(empty)).getMessage()
			.startsWith("empty.csv is empty"));
		final Path none = dir.resolve("none.csv");
		assertTrue(assertThrows(InputException.class, () -> Csv.read(none)).getMessage()
			.contains("none.csv was not found"));
		final Path latin = Files.write(dir.resolve("latin.csv"), "a,b\n1,2\nZ\u00fcrich,3\n"
			.getBytes(StandardCharsets.ISO_8859_1));
		final String m = assertThrows(InputException.class, () -> Csv.read(latin)).getMessage();
		assertTrue(m.startsWith("latin.csv line 3: not UTF-8 text"), m);
	}

	@Test
	void writerRoundTripsAwkwardCells() {
		final Path f = dir.resolve("out.csv");
		final List<String> header = List.of("id", "note", "site");
		final List<String[]> rows = new ArrayList<>();
		rows.add(new String[] { "1", "a, b", "Zürich" });
		rows.add(new String[] { "2", "say \"hi\"", "line\nbreak" });
		rows.add(new String[] { "3", "  padded ", "" });
		rows.add(new String[] { "", "", "" });
		rows.add(new String[] { "5", null, "crlf\r\ninside" });
		Csv.write(f, header, rows);
		final CsvTable t = Csv.read(f);
		assertEquals(header, t.header());
		assertEquals(rows.size(), t.nRows());
		for (int r = 0; r < rows.size(); r++)
			for (int c = 0; c < header.size(); c++) {
				final String expected = rows.get(r)[c] == null ? "" : rows.get(r)[c];
				assertEquals(expected, t.cell(r, c), "row " + r + ", column " + c);
			}
	}

	@Test
	void writerQuotesOnlyWhenNeeded() throws IOException {
		final Path f = dir.resolve("plain.csv");
		Csv.write(f, List.of("a", "b"), List.<String[]> of(new String[] { "x", "1.5" },
			new String[] { "y,z", "q\"" }));
		assertEquals("a,b\r\nx,1.5\r\n\"y,z\",\"q\"\"\"\r\n", Files.readString(f));
	}

	@Test
	void writerRefusesToOverwriteAndLeavesNoTemporaryFiles() throws IOException {
		final Path f = Files.writeString(dir.resolve("x.csv"), "precious\n");
		final InputException e = assertThrows(InputException.class, () -> Csv.write(f, List.of(
			"a"), List.<String[]> of(new String[] { "1" })));
		assertTrue(e.getMessage().contains("x.csv already exists"), e.getMessage());
		assertTrue(e.getMessage().contains("nothing was overwritten"), e.getMessage());
		assertEquals("precious\n", Files.readString(f));
		Csv.write(dir.resolve("y.csv"), List.of("a"), List.<String[]> of(new String[] { "1" }));
		try (Stream<Path> s = Files.list(dir)) {
			assertEquals(List.of("x.csv", "y.csv"), s.map(p -> p.getFileName().toString())
				.sorted().collect(java.util.stream.Collectors.toList()));
		}
		final Path noFolder = dir.resolve("missing").resolve("z.csv");
		assertTrue(assertThrows(InputException.class, () -> Csv.write(noFolder, List.of("a"), List
			.of())).getMessage().contains("does not exist"));
	}

	@Test
	void formattedDoublesRoundTripExactly() {
		final double[] special = { 0.1, 1.0 / 3, -2.5e-300, Double.MIN_VALUE, Double.MAX_VALUE,
			-0.0, 0.0, 1234.0, 1e15, 999_999_999_999_999.0, -7.0, 4012.5, Math.PI * 1e20,
			Math.nextUp(1.0) };
		for (final double d : special)
			assertRoundTrip(d);
		final Random random = new Random(42);
		for (int i = 0; i < 100_000; i++) {
			assertRoundTrip(Double.longBitsToDouble(random.nextLong()));
			assertRoundTrip(random.nextGaussian() * 1000);
		}
		assertEquals("1234", Csv.formatDouble(1234.0));
		assertEquals("-0.0", Csv.formatDouble(-0.0));
		assertEquals("0.1", Csv.formatDouble(0.1));
	}

	@Test
	void numbersRoundTripThroughAFile() {
		final Random random = new Random(7);
		final List<String[]> rows = new ArrayList<>();
		final double[] values = new double[500];
		for (int i = 0; i < values.length; i++) {
			values[i] = random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20);
			rows.add(new String[] { Csv.formatDouble(values[i]) });
		}
		final Path f = dir.resolve("numbers.csv");
		Csv.write(f, List.of("v"), rows);
		final CsvTable t = Csv.read(f);
		final double[] back = new double[values.length];
		for (int i = 0; i < back.length; i++)
			back[i] = Csv.parseNumber(t.cell(i, 0));
		assertArrayEquals(values, back, 0.0);
	}

	@Test
	void parseNumberAcceptsDecimalsOnly() {
		assertEquals(12.0, Csv.parseNumber(" 12 "));
		assertEquals(-0.5, Csv.parseNumber("-0.5"));
		assertEquals(0.5, Csv.parseNumber(".5"));
		assertEquals(250.0, Csv.parseNumber("+2.50E+2"));
		assertEquals(5.0, Csv.parseNumber("5."));
		for (final String bad : new String[] { "", "NA", "NaN", "inf", "Infinity", "1e999",
			"0x10", "1d", "1,5", "12 cm", null })
			assertTrue(Double.isNaN(Csv.parseNumber(bad)), "rejects " + bad);
		assertTrue(Csv.isMissing(" na "));
		assertTrue(Csv.isMissing(""));
		assertTrue(!Csv.isMissing("0"));
		assertEquals("AA", Csv.columnLetter(26));
		assertEquals("A", Csv.columnLetter(0));
	}

	// -- Helper methods --

	private static void assertRoundTrip(final double d) {
		final String s = Csv.formatDouble(d);
		if (Double.isNaN(d)) return;
		assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits(Double
			.parseDouble(s)), s);
		if (Double.isFinite(d)) assertEquals(d, Csv.parseNumber(s), 0.0, s);
	}
}
