// Compares two co-registered scans of one person from two scanners (the travelling-head view):
// difference and percent-difference maps, and agreement inside a mask, written to a new folder.
// Run: harmonij macro macros/compare_scans.ijm "/d/siteA.nii.gz /d/siteB.nii.gz /d/mask.nii.gz /d/out"
// Without batch mode (e.g. from Fiji's macro editor) the maps, a scatter plot and the numbers are shown.
args = split(getArgument(), " ");
if (args.length < 4) exit("Give scan A, scan B, a mask and a new output folder: \"a.nii.gz b.nii.gz mask.nii.gz out\"");
run("Compare Two Scans...", "scan_a=[" + args[0] + "] scan_b=[" + args[1] + "] mask=[" + args[2] + "] out=[" + args[3] + "]");
print(File.openAsString(args[3] + "/summary.csv"));
