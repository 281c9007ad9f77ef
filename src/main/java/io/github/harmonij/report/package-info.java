// SPDX-License-Identifier: MIT
/**
 * The harmonisation report: one self-contained HTML file per run ({@link
 * io.github.harmonij.report.Report}) and the figures in it, drawn off screen ({@link
 * io.github.harmonij.report.EvidenceFigures}). Used by the commands; reads only what the runs
 * wrote (through {@code io}), and opens no window.
 */
package io.github.harmonij.report;
