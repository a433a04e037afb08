// SPDX-License-Identifier: Apache-2.0
// Iterative proportional fitting (IPF, also "raking"; Deming & Stephan 1940, "On a least squares adjustment of a
// sampled frequency table when the expected marginal totals are known", Ann. Math. Statist. 11(4)): a non-negative
// seed table is scaled, one margin after another, until its sums over given sets of cells (the margins) equal given
// totals. The result keeps the seed's interactions (odds ratios) that the margins do not fix, so a seed built from
// an assumed age profile per group carries that profile into the fitted table. Pure numerics: no files.
#pragma once

#include <string>
#include <vector>

#include "cohortgis/engine/types.hpp"

namespace cohortgis {

// One margin: each cell of the table counts towards one of its buckets (or none), and each bucket has a total.
// A "known count" (e.g. registered persons aged 65+ in the whole area) is a margin with one bucket.
struct FitMargin {
  std::string name;                // for messages, e.g. "zone x sex x age (census)"
  std::vector<int> bucket;         // per cell of the table: its bucket, or -1 when this margin does not constrain it
  std::vector<double> target;      // per bucket: the total to meet (finite, >= 0)
  std::vector<std::string> label;  // per bucket, for messages (may be empty: "bucket <k>")
};

struct FitOptions {
  double tolerance = 1e-11;    // every bucket met to |fitted − target| <= tolerance × target (exactly 0 for a 0 target)
  int max_iterations = 10000;  // sweeps over all margins
};

struct FitResult {
  std::vector<double> cells;
  int iterations = 0;            // sweeps done
  double max_relative_gap = 0;   // largest |fitted − target| / target over all buckets after the last sweep
};

// Fits `seed` to the margins. Throws InputError, naming margin and bucket, when a total is negative or not finite,
// when a bucket with a positive total has only zero seed cells, when two margins that cover the same cells disagree
// on their common totals (naming both sums), or when the sweeps do not converge (the margins contradict each other
// in a way no table can meet, e.g. a known count larger than the cells it lies in can hold).
// Structural zeros: margins met only with some cells at 0 (a known count equal to the whole area's total leaves the
// other groups none) are approached by the sweeps only in the limit. After 100 sweeps without convergence (or at the
// last one allowed) the cells that every table meeting some pair of the margins leaves at 0 are found (a maximum flow
// and the strongly connected components of its residual network, Boost.Graph; src/fitting_support.hpp) and set to 0,
// and the sweeps go on, allowed max_iterations again. Cells only three or more margins force to 0 together are not
// found: such a fit still fails to converge.
FitResult fit_proportional(std::vector<double> seed, const std::vector<FitMargin>& margins, const FitOptions& options = {});

}  // namespace cohortgis
