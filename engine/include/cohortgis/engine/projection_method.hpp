// SPDX-License-Identifier: Apache-2.0
// The projection method of a run (ProjectionConfig::method) and its open-age convention; the multistate arithmetic is
// in multistate.hpp (kept out of projection.hpp so that its users do not compile Eigen's dense solvers).
#pragma once

namespace cohortgis {

enum class ProjectionMethod {
  flows,       // net migrants X = z·r·P at the start of the step (docs/ccmpp.md Part B)
  multistate,  // Rogers' multistate life table: deaths and moves compete within the step (multistate.hpp)
};

// What becomes of the open age group's survivors under the multistate method.
enum class OpenAgeSurvivors {
  keep,  // open group at t+z = S(w)·(K(w−1) + K(w)), S(w) = T(w)·T(w−1)^-1 with T(w) = M(w)^-1 l(w)
  drop,  // open group at t+z = S(w−1→w)·K(w−1) with [w, w+z) treated as closed; K(w) at t leaves the projection
};

}  // namespace cohortgis
