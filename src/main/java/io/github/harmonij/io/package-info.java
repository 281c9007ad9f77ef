// SPDX-License-Identifier: MIT
/**
 * Formats and files: CSV ({@link io.github.harmonij.io.Csv}), NIfTI images ({@link
 * io.github.harmonij.io.NiftiIO}), JSON, gzip with its checksums, output folders that appear
 * only when complete ({@link io.github.harmonij.io.OutputFolder}), user paths and the version. No
 * GUI. What the user's files mean (manifests, tables, covariates, the cohort matrix) is in
 * {@code io.github.harmonij.cohort}; the runs that read and write with them are in
 * {@code io.github.harmonij.pipeline}.
 * <p>
 * Conventions shared by every message in this package:
 * <ul>
 * <li>"row N" is the line number in the file where the record starts, so the header is line 1
 * and the first subject is row 2: the row number a spreadsheet shows, as long as no cell holds a
 * line break.</li>
 * <li>Problems are collected first and thrown together as one
 * {@link io.github.harmonij.core.InputException} whose first line is self-contained.</li>
 * <li>Writers never overwrite: an existing output file is an error that names the file.</li>
 * </ul>
 */
package io.github.harmonij.io;
