// SPDX-License-Identifier: Apache-2.0
// Messages the command line's boundary prints for failures that are not bad input in a file: memory, threads, and
// boost's own parser messages.
#pragma once

#include <string>

namespace cohortgis::cli {

// std::bad_alloc: memory, or address space under `ulimit -v`, ran out (the staging folder is gone by then).
std::string out_of_memory();

// No thread could start (std::system_error EAGAIN, or oneTBB's "pthread_create has failed"); `why` is the system's
// words. Names the limits that cause it (ulimit -u, ulimit -d).
std::string no_thread(const std::string& why);

// boost's message with every quoted word cut to 60 characters (an unrecognised option of 100 kB was echoed whole).
std::string cut_quoted_words(const std::string& message);

}  // namespace cohortgis::cli
