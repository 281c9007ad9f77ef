// SPDX-License-Identifier: MIT
/**
 * Reading and writing what users bring and take away: CSV tables ({@link
 * io.github.harmonij.io.Csv}), cohort manifests for voxelwise harmonisation ({@link
 * io.github.harmonij.io.CohortManifest}), tables of regional features ({@link
 * io.github.harmonij.io.FeatureTable}) and the coding of covariates ({@link
 * io.github.harmonij.io.Covariates}), NIfTI images, JSON, gzip and output folders. No GUI. The
 * runs that read and write with them (harmonisation, site addition, site-effect maps, simulation)
 * are in {@code io.github.harmonij.pipeline}.
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
