// SPDX-License-Identifier: Apache-2.0
// Tables joined to zones by id, and zones grouped into parent units (township → district → city).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "cohortgis/engine/indicators.hpp"
#include "cohortgis/geodata/table.hpp"
#include "cohortgis/geodata/zones.hpp"

namespace cohortgis::geodata {

struct JoinOptions {
  // Zones without any row are an error unless this is set (the scenario says a missing zone is empty); then they
  // get no rows and are listed in ZoneJoin::zones_without_rows.
  bool missing_zone_is_empty = false;
  // More than one row per zone is an error unless this is set (long tables: one row per zone × age × sex …).
  bool many_rows_per_zone = false;
};

struct ZoneJoin {
  std::vector<std::vector<std::size_t>> rows_of_zone{};  // [zone] → table rows (data row − 1), in table order
  std::vector<std::size_t> zone_of_row{};                // [row] → zone index
  std::vector<std::string> zones_without_rows{};         // ids, only when missing_zone_is_empty
};

// Joins `table` to `zones` on the text of `id_column` (blanks around the id are ignored; "0101" ≠ "101").
// Throws one InputError listing every row whose id is not a zone (with its row as Table::where gives it) and every
// zone without a row (unless allowed), and duplicate rows when many_rows_per_zone is not set.
ZoneJoin join_by_id(const Zones& zones, const Table& table, const std::string& id_column,
                    const JoinOptions& options = {});

// ---- hierarchy ----

// Parent units in order of first appearance; members listed by zone index.
struct ZoneHierarchy {
  std::vector<std::string> parent_ids{};
  std::vector<std::size_t> parent_of_zone{};            // [zone] → parent index
  std::vector<std::vector<std::size_t>> members{};      // [parent] → zone indexes
};

// Parents from the zones' parent field (ZoneSource::parent_field). Throws InputError listing zones with no parent.
ZoneHierarchy hierarchy_from_parents(const Zones& zones);
// Parents from a column of a table joined by id (e.g. township → district from a lookup sheet).
ZoneHierarchy hierarchy_from_table(const Zones& zones, const Table& table, const std::string& id_column,
                                   const std::string& parent_column);

// The parents as the engine's aggregates (ProjectionConfig::aggregates), named by parent id.
std::vector<ZoneAggregate> to_zone_aggregates(const ZoneHierarchy& h);

// Sums a per-zone count over each parent (counts first, rates later: docs/ccmpp.md Part C).
std::vector<double> sum_by_parent(const ZoneHierarchy& h, const std::vector<double>& per_zone);

// One zone per parent, its geometry the union of its members' (GEOS cascaded union through OGR), for parent maps.
// Ids are the parent ids; the result is in the zones' CRS.
Zones dissolve(const Zones& zones, const ZoneHierarchy& h);

}  // namespace cohortgis::geodata
