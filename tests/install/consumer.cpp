// SPDX-License-Identifier: Apache-2.0
// A program outside the source tree that uses an installed cohortgis (tests/install/install.sh): loads the shipped
// default scenario from the installed examples and data, projects the baseline in memory with app::project and
// prints where it found them and the whole area's population in the last year (full precision).
#include <cstdio>
#include <numeric>

#include "cohortgis/app/project.hpp"
#include "cohortgis/app/run.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"

namespace {
struct LastTotal : cohortgis::app::VariantSink {
  double total = 0.0;
  int year = 0;
  void step(const cohortgis::StepResult& r) override {
    total = std::accumulate(r.end.data().begin(), r.end.data().end(), 0.0);
    year = r.context.end_year;
  }
};
}  // namespace

int main() {
  using namespace cohortgis;
  const std::string file = scenarios::default_scenario_file(), data = app::resolve_data_dir("");
  const scenarios::ScenarioSet set = scenarios::load_scenario_file(file, data);
  LastTotal sink;
  app::ProjectOptions o;
  o.variants = {"baseline"};
  app::project(set, o, sink);
  std::printf("scenario %s\ndata %s\n%d %.17g\n", file.c_str(), data.c_str(), sink.year, sink.total);
  return 0;
}
