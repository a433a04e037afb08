// SPDX-License-Identifier: Apache-2.0
#include "national_schedules.hpp"

#include "cohortgis/engine/zone_shared_schedules.hpp"
#include "retained_heap.hpp"

namespace cohortgis::app {

// At 50,000 zones 22.8 MB less for the whole run (mx 15.2, ASFR 7.2, SRB 0.4 MB): bench/HISTORY.md "Round 28: memory
// at 50,000 zones (h174)".
std::size_t share_national_schedules(scenarios::ScenarioSet& set) {
  std::size_t freed = 0;
  for (scenarios::Scenario& r : set.runs)
    if (scenarios::engine_reads_schedules_as_given(r))
      for (StepSchedules& s : r.schedules) freed += share_zone_schedules(s, r.base_population.layout());
  if (freed > 0) release_free_heap();  // the freed arrays' pages, inside the heap (below its mmap threshold)
  return freed;
}

}  // namespace cohortgis::app
