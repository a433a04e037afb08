// SPDX-License-Identifier: Apache-2.0
// One schedule set for every step when the loader built the same schedules for each (Scenario::schedules: "a single
// entry holds for every step"): a scenario of national schedules over 50,000 zones would otherwise hold one copy of
// every zone's mx and ASFR per step (docs/results.md "Memory of large runs").
#pragma once

#include <vector>

#include "cohortgis/engine/projection.hpp"

namespace cohortgis::scenarios::detail {

// Bit for bit (doubles compared as bytes: 0.0 and -0.0 differ); OD by pointer (the same object), which is what the
// loader hands every step of one table.
bool same_step_schedules(const StepSchedules& a, const StepSchedules& b);

// out = from, except the mortality rows above when keep_mortality (the caller knows out holds them already); the
// hint mortality_unchanged is set to keep_mortality (the engine then reuses its life tables and survival ratios).
void assign_step_schedules(StepSchedules& out, const StepSchedules& from, bool keep_mortality);

// Keeps only the first entry when every entry equals it.
void share_equal_steps(std::vector<StepSchedules>& steps);

// Steps' schedules freed as they are built when they hold the same bits as the first step's: the loader builds every
// step of one kind (all mortality, then all fertility, …) before share_equal_steps can compare whole steps, so
// without this a 50,000-zone scenario held ten copies of its mx and ASFR while loading (bench/HISTORY.md "Round 4:
// memory at 50,000 zones"). Only for fields that no later builder changes (mortality, radix_l0, l65, asfr, srb).
class FoldedSteps {
 public:
  using Field = std::vector<double> StepSchedules::*;
  // After steps[k].*field is built (k >= 1): frees it when it equals steps[0].*field bit for bit.
  void fold(std::vector<StepSchedules>& steps, std::size_t k, Field field);
  // steps[k].*field was found equal to steps[0].*field as it was built, and left empty (AppendedLikeFirst): frees
  // what it reserved and counts it as folded.
  void fold_equal(std::vector<StepSchedules>& steps, std::size_t k, Field field);
  // Once every builder ran: one entry when every step equals the first (a folded field counts as equal, which it
  // is); otherwise the folded fields are copied back from the first step, so every step is complete.
  void finish(std::vector<StepSchedules>& steps);
  std::size_t folded() const { return folded_.size(); }

 private:
  std::vector<std::pair<std::size_t, Field>> folded_;
};

// The values of a later step's field compared with the first step's as they are appended, before FoldedSteps can
// compare the whole field: nothing is written while they are the first step's values, in order; at the first value
// that differs the first step's values before it are copied, and from there every value is appended. A step equal to
// the first is so never written out: each later step's death rates of every zone (15.2 MB at 50,000 zones), built
// whole before they were found equal, were the loader's peak and the run's (bench/HISTORY.md "Round 29: memory at
// 50,000 zones (h182)"). The same values as appending every one.
class AppendedLikeFirst {
 public:
  // compare false (the first step itself): every value is appended.
  AppendedLikeFirst(const std::vector<double>& first, std::vector<double>& out, bool compare)
      : first_(first), out_(out), like_(compare) {}
  void append(const double* v, std::size_t n);
  // After the last value: true where every value appended was the first step's, and all of them (`out` is then empty:
  // FoldedSteps::fold_equal); otherwise `out` holds every value appended (the first step's first ones copied).
  bool finish();

 private:
  const std::vector<double>& first_;
  std::vector<double>& out_;
  bool like_;
  std::size_t at_ = 0;  // values appended while like_
};

// A step's values of every zone, in zone order and `per_zone` values a zone, held once for every zone as they are
// appended while each zone's are zone 0's bit for bit (zone_shared_schedules.hpp: the form that share_zone_schedules
// gives them): at the first value that differs, zone 0's values are handed on for every zone before it, and from there
// every value as it comes. A national table so never gets written out for every zone: the loader's first step's death
// rates and ASFR of every zone (22.8 MB at 50,000 zones) were its peak, and the run's at one thread, until they were
// kept once after loading (bench/HISTORY.md "Round 30: memory at 50,000 zones (h190)"). Hands on the same values as
// appending every one where they are not all zone 0's; only for the arrays that the engine reads so (death rates
// without rates above the open age, ASFR).
class ZoneBlocksOnce {
 public:
  // once false, or fewer than two zones: every value is handed on as it comes.
  ZoneBlocksOnce(AppendedLikeFirst& to, std::size_t per_zone, int zones, bool once)
      : to_(to), per_zone_(per_zone), zones_(zones), once_(once && zones > 1 && per_zone > 0) {}
  void append(const double* v, std::size_t n);
  // After the last zone's values: hands on zone 0's once where every zone's were theirs, and all of them; otherwise
  // every value appended has been handed on.
  void finish();

 private:
  void write_out();  // zone 0's values for every zone appended so far
  AppendedLikeFirst& to_;
  std::size_t per_zone_;
  int zones_;
  bool once_;
  std::vector<double> zone0_;
  std::size_t at_ = 0;  // values appended while once_
};

}  // namespace cohortgis::scenarios::detail
