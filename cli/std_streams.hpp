// SPDX-License-Identifier: Apache-2.0
// The command's standard streams: opened on /dev/null when the caller closed them, and standard output checked once
// the command is done (hostile probe of round 23).
#pragma once

namespace cohortgis::cli {

// Descriptors 0, 1 and 2 that are closed (`cohortgis run … 2>&-`) are opened on /dev/null before anything else is:
// otherwise the first file cohortgis opened took the number, and the progress lines and warnings written to
// "stderr" went into that file (a results CSV, results.nc, a map), under a manifest that recorded what cohortgis
// meant to write.
void open_closed_standard_streams();

// The command's exit status once standard output is flushed, for the command line argv: `rc`, or 1 with
// "cohortgis: error: cannot write to standard output (…)" when a write to it failed (`info … >/dev/full`, a
// non-blocking pipe left full) and what it printed is the command's answer (info, validate, --help, --version): such
// a listing cut short by a full disk ended with exit 0. For the commands that write files (run, estimate, backtest,
// map, report), whose output is a summary of files written in full, a warning says so and `rc` stands (an exit 1 with
// results in place would contradict "an error writes nothing"). A reader that has gone (`| head -1`) is no error: the
// output was not wanted any more (SIGPIPE is ignored for that, main.cpp).
int checked_standard_output(int rc, int argc, char** argv);

}  // namespace cohortgis::cli
