// SPDX-License-Identifier: Apache-2.0
// What a ResultSink reads of a step besides its end population, its components and its indicators (issue #16: the
// memory of large runs).
#pragma once

namespace cohortgis {

// A ResultSink may also derive from this to tell the engine whether it reads StepResult::start and the components
// births_by_mother_age and women_exposure; a sink that does not reads them all. Where it reads none of them (the
// command line's writers) the engine gives those arrays' memory back to the system as each step's zone pass is done
// with them, and the end population's as the step begins (the step writes every cell of it again), so that a step
// holds about one population array where it held two, and no births by age (bench/HISTORY.md "Round 29: memory at
// 50,000 zones (h182)"): in a flow step whose zone pass computes every indicator that reads them (every aggregate
// folded in that pass, no fertility measure, no step adjuster) and in which no zone reads another's start cells (no
// OD, no external pairs). The sink then gets those arrays empty. The values are the same either way.
class SinkInputs {
 public:
  virtual ~SinkInputs() = default;
  // Asked once a run, when it starts (Projection::run, run_shared).
  virtual bool reads_start_and_births_by_age() const = 0;
};

}  // namespace cohortgis
