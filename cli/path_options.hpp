// SPDX-License-Identifier: Apache-2.0
// Paths typed on the command line (--out, the scenario, --observed …) are checked like the paths in a scenario file
// before anything is opened or created: one of 4096 bytes or more, or with a part of more than 255 bytes, is refused
// as too long (hostile probe 3) instead of failing later as "not found" or "cannot be created".
#pragma once

#include <boost/program_options.hpp>

namespace cohortgis::cli {

// Throws InputError ("--out '…': a path of 5000 bytes is too long; expected at most 4095 bytes (PATH_MAX)") for the
// first path option of `vm` that is too long. Path options: every option whose value names a file or folder, and
// the positional scenario/file/dir. Any other option value of 4096 bytes or more is refused as too long too.
void check_path_options(const boost::program_options::variables_map& vm);

}  // namespace cohortgis::cli
