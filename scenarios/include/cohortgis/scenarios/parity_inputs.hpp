// SPDX-License-Identifier: Apache-2.0
// The parity inputs of a scenario ([fertility] parity_rates and parity_base, scenarios/README.md "Parity"), as the
// engine's ParityProjection takes them.
#pragma once

#include <array>
#include <vector>

namespace cohortgis::scenarios {

struct ParityInputs {
  std::vector<double> women_by_parity;             // base women by [zone][group][parity 0,1,2,3+][age]
  std::vector<std::vector<double>> rates_by_step;  // per step: births per woman per year by [zone][group][parity][age]
  std::array<double, 3> srb_by_order{};            // boys per girl of first, second, third+ births; 0: not given
};

}  // namespace cohortgis::scenarios
