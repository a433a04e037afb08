// SPDX-License-Identifier: Apache-2.0
// [fertility] fit through the projection itself: the level is set so that the run's own crude birth rate (or births
// per year) of the fitted year, the figure indicators.csv and monitoring.csv report, equals the published one. The
// base population's women give the start level (build_fertility.cpp); the first step is then projected at a few
// levels (level_fitting.hpp fit_fertility_through_projection: closed form, as births and person-years are linear in
// the level within the first step) and every step's schedules are rescaled to the level found.
#include <algorithm>
#include <numeric>

#include "cohortgis/engine/projection.hpp"
#include "cohortgis/scenarios/level_fitting.hpp"
#include "scenario_build.hpp"

namespace cohortgis::scenarios::detail {

namespace {

// The whole area's births and person-years of the first step, summed as indicators.cpp sums them for "total".
class FirstStepSums : public ResultSink {
 public:
  explicit FirstStepSums(int width_years) : z_(width_years) {}
  void step(const StepResult& r) override {
    const auto sum = [](std::span<const double> v) { return std::accumulate(v.begin(), v.end(), 0.0); };
    got.births = sum(r.components.births);
    got.person_years = z_ * (sum(r.start.data()) + sum(r.end.data())) / 2.0;
  }
  BirthsAndExposure got;

 private:
  int z_;
};

}  // namespace

void fit_fertility_in_projection(const Doc& doc, const FertilityFitSpec& fit, Scenario& sc) {
  // The schedules hold fit.start_level; a level k multiplies them by k / start_level.
  ProjectionConfig pc = sc.projection_config();
  pc.steps = 1;
  pc.threads = 1;  // small, and bit-identical at any thread count anyway
  pc.indicators = false;
  pc.cell_components = false;
  const CohortArray* start = &sc.base_population;
  const ScheduleProvider given = sc.schedule_provider(&start);
  const auto project = [&](double level) {
    const double ratio = level / fit.start_level;
    const ScheduleProvider scaled = [&](const StepContext& ctx, StepSchedules& s) {
      given(ctx, s);
      for (double& f : s.asfr) f *= ratio;
    };
    FirstStepSums sums(sc.grid.width_years);
    Projection(pc, sc.base_population).run(scaled, sums);
    return sums.got;
  };
  LevelFit fitted;
  try {
    fitted = fit_fertility_through_projection(project, fit.target, fit.per_1000, sc.grid.width_years, fit.start_level);
  } catch (const InputError& e) {
    doc.fail(fit.node, fit.key, e.what());
  }
  const double ratio = fitted.level / fit.start_level;
  for (StepSchedules& s : sc.schedules)
    for (double& f : s.asfr) f *= ratio;
  const std::string period = sc.grid.width_years == 1 ? std::to_string(fit.year)
                                                      : "the first step (" + std::to_string(sc.base_year + 1) + "-" +
                                                            std::to_string(sc.base_year + sc.grid.width_years) + ")";
  // Six significant digits for a reader (the report shows this note): "6.35", not "6.3500000000000005".
  const std::string what = fit.per_1000 ? "a crude birth rate of " + fmt(fitted.fitted, 6) + " per 1000 person-years"
                                        : fmt(fitted.fitted, 6) + " births a year";
  const std::string note = std::string(kFertilityFitNote) + ": every schedule multiplied by " + fmt(fitted.level, 6) +
                           ", giving " + what + " in " + period + " of the projection itself (target " +
                           fmt(fit.target) + " for " + std::to_string(fit.year) + ").";
  if (std::find(sc.assumptions.begin(), sc.assumptions.end(), note) == sc.assumptions.end())
    sc.assumptions.push_back(note);
}

}  // namespace cohortgis::scenarios::detail
