// SPDX-License-Identifier: Apache-2.0
// Tables of [stochastic] (private to scenarios/src): trajectories given as data (external_trajectories.cpp), the
// zones' migration correlation matrix (correlation_matrix.cpp) and the mortality history a Lee–Carter model is fitted
// to (lee_carter_fit.cpp). scenarios/README.md "Probabilistic projections" documents each table.
#pragma once

#include <memory>
#include <string>

#include "cohortgis/scenarios/lee_carter_fit.hpp"
#include "cohortgis/scenarios/stochastic.hpp"
#include "toml_doc.hpp"

namespace cohortgis::scenarios::detail {

// `tfr_trajectories` / `e0_trajectories`: columns trajectory, year, value, optional zone (and sex for e0). Every
// trajectory must have a value for every zone (or the one area value) and every step's last year.
std::shared_ptr<const ExternalTrajectories> read_external_trajectories(const Doc& doc, const toml::node& n,
                                                                       const std::string& key, const Scenario& sc,
                                                                       bool by_sex, double lo, double hi,
                                                                       const std::string& what);

// `migration.correlation = { path = … }`: a square table, column `zone` then one column per zone id.
std::shared_ptr<const CorrelationFactor> read_correlation_matrix(const Doc& doc, const toml::node& n,
                                                                 const std::string& key, const Scenario& sc);

// `lee_carter.fit = { path = … }`: columns year, age, value (mx) with one row per year and life-table row.
LeeCarterFit read_lee_carter_fit(const Doc& doc, const toml::node& n, const std::string& key, const Scenario& sc);

}  // namespace cohortgis::scenarios::detail
