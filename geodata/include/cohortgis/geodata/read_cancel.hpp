// SPDX-License-Identifier: Apache-2.0
// Reading stopped from outside: Python's Ctrl-C during load_scenario, scenario_from_frames, estimate or backtest,
// whose reading runs on a thread of its own. A load of 40,000 zones went on to its end unseen after KeyboardInterrupt
// (seconds of CPU, competing with the calls that followed), and an estimate held KeyboardInterrupt until its tables
// were read. The tables a thread reads (stream_table, read_table) look at its flag every kRowsBetweenStops rows, and
// the scenario loader between its stages, and then throw ProjectionError("reading cancelled"): reading writes
// nothing, so nothing is left behind. A header of its own, so that the readers' signatures stay as they are.
#pragma once

#include <atomic>
#include <cstddef>

namespace cohortgis::geodata {

// The rows (lines, points) a long loop goes through between two looks at its stop flag, in every such loop: the
// table readers, the scenario files' tables, the estimate's and the long table's writers, the line charts. A look is
// an atomic load; 4096 rows are well under a millisecond of reading or writing, so a stop is seen at once.
inline constexpr std::size_t kRowsBetweenStops = 4096;

// For the reading of the constructing thread while it lives (nested: the innermost flag counts).
class ReadCancellation {
 public:
  explicit ReadCancellation(const std::atomic<bool>* cancel);
  ~ReadCancellation();
  ReadCancellation(const ReadCancellation&) = delete;
  ReadCancellation& operator=(const ReadCancellation&) = delete;

 private:
  const std::atomic<bool>* previous_;
};

// ProjectionError("reading cancelled") once the flag of this thread's ReadCancellation is set.
void throw_if_read_cancelled();

}  // namespace cohortgis::geodata
