// SPDX-License-Identifier: Apache-2.0
// Part A of docs/ccmpp.md: the single-population cohort-component step of the UN Population Division's ccmppWPP
// (`project_ccmpp_z_by_z`), in the same operation order, so that a WPP-compatible run matches the UN to 1e-9.
//
// The step is split in three calls because births must be pooled across population groups of a zone before
// newborns are survived (design note B3: a newborn rule moves births between groups before A3 step 5):
//   1. survive_cohorts   — A3 steps 1–3 for one sex (split migrants, cohort deaths, provisional population Q).
//   2. births_by_age_of_mother — A3 step 4 from the women of the state.
//   3. close_step        — A3 steps 5–7 for one sex (newborns, "end" migrants, floor).
#pragma once

#include <span>
#include <utility>

#include "cohortgis/engine/types.hpp"

namespace cohortgis {

enum class MigrationTiming {
  even,  // half of the step's migrants at the start (exposed to death and birth), half at the end
  end,   // all migrants at the end of the step
};

// Floor value of A3 step 7 and the residual left by the WPP override of A2 / the conserve rule of B2.
inline constexpr double kFloorPersons = 0.0005;
inline constexpr double kMigrationResidualPersons = 0.00001;

// Scratch and outputs of one sex of one state for one step. All spans have grid.n_ages elements. The buffers, and the
// P, S, M and P_end passed with them below, are distinct arrays that do not overlap.
struct SexStepBuffers {
  std::span<double> A;  // population exposed during the step (start + start-half of migrants)
  std::span<double> E;  // end-of-step migrants
  std::span<double> D;  // cohort deaths, by index at the end of the step (D[0]: deaths of the step's births)
  std::span<double> Q;  // provisional end population (before newborns, end migrants and floor)
};

// A3 steps 1–3. P: start population; S: survival ratios; M: net migrants over the whole step (may be empty = none).
void survive_cohorts(const AgeGrid& grid, std::span<const double> P, std::span<const double> S,
                     std::span<const double> M, MigrationTiming timing, const SexStepBuffers& buf);

// A3 steps 2–3 alone, from buf.A and buf.E of step 1 (survive_cohorts runs step 1 and then this).
void survive_steps_2_3(const AgeGrid& grid, std::span<const double> S, const SexStepBuffers& buf);

// A3 step 4: B[i] = z·F[i]·(A_f[i] + Q_f[i])/2 for i = 1 … w−1, B[0] = B[w] = 0. Writes B (n_ages) and, when
// `exposure` is not empty, the women's person-years z·(A_f[i] + Q_f[i])/2 behind each B[i]. Returns Σ B[i]
// (accumulated in long double, as R's sum() does).
double births_by_age_of_mother(const AgeGrid& grid, std::span<const double> F, const SexStepBuffers& women,
                               std::span<double> B, std::span<double> exposure = {});

// Births by sex: B_f = B · (1 / (1 + srb)), B_m = B − B_f (srb: male births per female birth). Returns {B_f, B_m}.
std::pair<double, double> births_by_sex(double births, double srb_males_per_female);

// A3 steps 5–7 for one sex: newborns B_s survive with S[0]; "end" migrants are added; cells below zero are floored
// at kFloorPersons. P_end receives the end population; floor_adjustment (may be empty) receives
// kFloorPersons − Q[i] for floored cells and 0 elsewhere. Returns the number of floored cells.
int close_step(const AgeGrid& grid, double births_of_sex, std::span<const double> S, std::span<const double> M,
               MigrationTiming timing, const SexStepBuffers& buf, std::span<double> P_end,
               std::span<double> floor_adjustment);

// Design note A4: age-period deaths from cohort deaths D with the split factors φ (single-year grids).
void age_period_deaths(std::span<const double> D, std::span<const double> phi, std::span<double> D_age);

// WPP override of A2: where P[i] + M[i] ≤ 0, M[i] := 0.00001 − P[i]. Returns the number of cells changed.
int apply_wpp_migration_override(std::span<const double> P, std::span<double> M);

}  // namespace cohortgis
