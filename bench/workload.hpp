// SPDX-License-Identifier: Apache-2.0
// The benchmark workload: N zones × 2 groups (registered, floating) × 2 sexes × single-year ages 0–100+, annual
// steps, sparse OD migration between each zone and its k nearest neighbours on a synthetic plane, a
// floating → registered transition, and schedules derived from the UN WPP 2022 data of data/wpp/ (China, Japan,
// Nigeria, Germany) with per-zone variation. Everything is drawn from one fixed seed.
//
// Schedules change by five-year period, as the UN publishes them: mx and ASFR of zone z, group g in period p are
// factor[z][g] × table[country of z][p] (one multiplication, so the NumPy peer rebuilds them bit for bit from the
// exported factors and tables). The benchmark driver, the microbenchmarks and the NumPy export all use this class.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cohortgis/engine/projection.hpp"
#include "cohortgis/engine/thread_arena.hpp"

namespace cohortgis::bench {

struct WorkloadOptions {
  int zones = 3000;
  int steps = 50;
  int neighbours = 8;  // k of the k-nearest-neighbour OD graph
  std::uint64_t seed = 20240607;
  std::string data_dir;  // data/wpp/ of the repository
  // 1: single-year ages and annual steps (the benchmark); 5: five-year ages 0–4 … 100+ and five-year steps on the
  // same zones, OD graph and base population (summed by five-year group), mx from WPP's abridged rows as published
  // and ASFR by five-year group as published (no graduation), the transition's rates averaged over each group's ages.
  int step_years = 1;
};

class Workload {
 public:
  static constexpr int kGroups = 2;
  static constexpr int kCountries = 4;
  static constexpr int kPeriodYears = 5;

  explicit Workload(const WorkloadOptions& options);

  const WorkloadOptions& options() const { return opt_; }
  AgeGrid grid() const { return opt_.step_years == 5 ? AgeGrid::five_year(100) : AgeGrid::single_year(100); }
  CohortLayout layout() const { return {opt_.zones, kGroups, grid()}; }
  int periods() const { return (opt_.steps * opt_.step_years + kPeriodYears - 1) / kPeriodYears + 1; }
  int period_of_step(int step) const { return step * opt_.step_years / kPeriodYears; }

  // A projection config for this workload (zone ids, group names, base year 2020, steps).
  ProjectionConfig config(int threads, bool indicators) const;
  const CohortArray& base_population() const { return base_; }
  CohortArray take_base() { return std::move(base_); }  // leaves the workload without a base population
  // A provider for one run (it remembers the period it filled last, so use a fresh one per run). `threads` (as
  // ProjectionConfig::threads: 0 all cores) fill each new period's schedules, a range of zones each, in an arena of
  // their own: the engine calls a provider between its steps, outside the run's arena (the same values at any count).
  ScheduleProvider provider(int threads = 1) const;
  // Fills the schedules of a period (all of them, from scratch); with an arena, its threads fill ranges of zones.
  void fill_period(int period, StepSchedules& s, ThreadArena* arena = nullptr) const;

  // The model's pieces, exported for the NumPy peer.
  const std::vector<int>& country() const { return country_; }                // [zone]
  const std::vector<double>& mx_factor() const { return mx_factor_; }         // [zone][group]
  const std::vector<double>& asfr_factor() const { return asfr_factor_; }     // [zone][group]
  const std::vector<double>& srb() const { return srb_; }                     // [zone]
  const std::vector<double>& mx_table() const { return mx_table_; }           // [country][period][sex][row]
  const std::vector<double>& asfr_table() const { return asfr_table_; }       // [country][period][age]
  const std::shared_ptr<const OdMigration>& od() const { return od_; }
  const std::vector<double>& od_profile() const { return profile_; }          // [group][sex][age]
  const GroupTransition& transition() const { return transition_; }

  // Bytes a projected year must move at the least: the population read and written once, plus the schedules that
  // vary by zone read once (mx, ASFR, SRB, OD edges), a step's bytes over its years. Used for the bandwidth floor.
  double floor_bytes_per_year() const;
  double state_bytes() const { return static_cast<double>(layout().cells()) * sizeof(double); }
  double schedule_bytes() const;  // one year of zone-varying schedules as the engine holds them

 private:
  WorkloadOptions opt_;
  CohortArray base_;
  std::vector<int> country_;
  std::vector<double> mx_factor_, asfr_factor_, srb_, mx_table_, asfr_table_, profile_;
  std::shared_ptr<const OdMigration> od_;
  GroupTransition transition_;
};

// Writes the workload as a scenario folder (scenario.toml + CSV tables, scenarios/README.md) that `cohortgis run`
// accepts; its projection equals the workload's in-memory projection bit for bit (bench/workload_scenario.cpp).
// compact: mx and ASFR as the workload defines them, standard tables by country and period + factors by zone and
// group (`zone_factors`); full: every zone's schedule as a table (3.6 million mx rows at W3k).
// The base population as base_population.csv (csv) or as the cube base_population.nc (netcdf: [base_population]
// format = "netcdf", scenarios/README.md "Base population as a NetCDF cube").
enum class ScheduleForm { compact, full };
enum class PopulationForm { csv, netcdf };
void write_scenario_folder(const Workload& w, const std::string& dir, ScheduleForm form = ScheduleForm::compact,
                           PopulationForm population = PopulationForm::csv);

// Repository data folder as compiled in (COHORTGIS_DATA), or "" when unknown.
std::string default_data_dir();

}  // namespace cohortgis::bench
