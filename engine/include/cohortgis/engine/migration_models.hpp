// SPDX-License-Identifier: Apache-2.0
// Age profiles for distributing migration totals over age (design note A2, "counts" built from a total).
#pragma once

#include <vector>

#include "cohortgis/engine/types.hpp"

namespace cohortgis {

// Rogers & Castro (1981), "Model migration schedules", IIASA RR-81-30, eq. (1), the 7-parameter form:
//   m(x) = a1·exp(−α1·x) + a2·exp(−α2·(x − μ2) − exp(−λ2·(x − μ2))) + c
// Defaults: the means of the 'fundamental' parameters reported there (p. 15: α1 ≈ 0.1, α2 ≈ 0.1, μ2 ≈ 20,
// λ2 ≈ 0.4), with a1, a2, c chosen so that childhood, labour-force and constant parts are in typical proportion.
struct RogersCastro {
  double a1 = 0.02, alpha1 = 0.1;                       // pre-labour-force component
  double a2 = 0.06, alpha2 = 0.1, mu2 = 20.0, lambda2 = 0.4;  // labour-force component
  double c = 0.003;                                     // constant
  double at(double age) const;
};

// Shares of migrants by age index on `grid` (sum 1): the schedule integrated over each age interval
// (Simpson's rule, 8 panels per year), the open group taken over [open age, open age + 20).
std::vector<double> rogers_castro_age_shares(const AgeGrid& grid, const RogersCastro& params = {});

}  // namespace cohortgis
