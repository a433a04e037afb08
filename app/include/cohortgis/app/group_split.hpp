// SPDX-License-Identifier: Apache-2.0
// `cohortgis estimate --group-split`: the split of each zone's residents into registered and floating groups from
// the census's hukou-elsewhere (人户分离) counts, with the registry's 户籍人口 as a cross-check (it counts persons
// registered in a zone wherever they live, so it is not the registered-resident group; docs/cli.md).
#pragma once

#include <atomic>
#include <string>
#include <vector>

namespace cohortgis::app {

// A zone's census counts: residents, and residents whose hukou is elsewhere, by where it is.
struct HukouCounts {
  double residents = 0.0;
  double same_district = 0.0;   // hukou in another township of the same district: registered in the zone
  double other_district = 0.0;  // hukou in another district of the same province
  double other_province = 0.0;  // hukou in another province
};

// Which hukou-elsewhere residents are floating: those registered outside the province (Beijing's 外来人口, the
// default), or also those registered in another district of the province (floating relative to the zone).
enum class FloatingScope { other_province, other_district };

struct GroupSplit {
  double registered = 0.0, floating = 0.0;
};

// floating = other_province (+ other_district for FloatingScope::other_district); registered = residents − floating.
// Throws InputError (naming `where`) when the counts are negative or the floating exceed the residents.
GroupSplit split_by_hukou(const HukouCounts& c, FloatingScope scope, const std::string& where);

struct GroupSplitConfig {
  std::string census;       // long table: code, indicator, value (indicators pop_resident, pop_hukou_elsewhere_*)
  std::string registry;     // optional: code and one column registered* (a name ending in _10k: 万人)
  std::string zone_prefix;  // optional: only codes starting with it (e.g. 1101 for Beijing's districts)
  FloatingScope scope = FloatingScope::other_province;
  std::string out_dir;
  const std::atomic<bool>* cancel = nullptr;  // as EstimateConfig::cancel (estimate.hpp)
};

struct GroupSplitSummary {
  std::string out_dir;
  std::vector<std::string> zones, files;
  // What was written but deserves a look (the command line prints each as "cohortgis: warning: …", Python warns):
  // registry codes that are no zone of the census, zones of 0 residents (docs/cli.md).
  std::vector<std::string> warnings;
};

// Writes group_split.csv (zone, name, residents, registered, floating, floating_share, registry counts),
// group_split_report.md and manifest.json (staged: complete or not at all). Throws InputError naming file, row and
// column.
GroupSplitSummary group_split(const GroupSplitConfig& config);

}  // namespace cohortgis::app
