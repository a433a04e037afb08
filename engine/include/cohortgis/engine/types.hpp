// SPDX-License-Identifier: Apache-2.0
// Basic vocabulary of the engine: sexes, age grids, errors.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace cohortgis {

// Sex index order inside every array: [female, male]. Females first because births come from women.
enum class Sex : int { female = 0, male = 1 };
inline constexpr std::size_t kSexes = 2;
inline const char* sex_name(Sex s) { return s == Sex::female ? "female" : "male"; }

// The age grid of a projection (design note, "Notation"). Step and age width are the same z.
// z = 1: index i is age i, the last index (open_age) is "open_age+".
// z = 5: index i is ages [5i, 5i+5); the last index is the open group starting at 5*(n_ages-1).
struct AgeGrid {
  int width_years = 1;   // z ∈ {1, 5}
  int n_ages = 101;      // w + 1 (101 → 0..100+ for z = 1; 21 → 0-4 … 100+ for z = 5)

  static AgeGrid single_year(int open_age = 100) { return {1, open_age + 1}; }
  static AgeGrid five_year(int open_age = 100) { return {5, open_age / 5 + 1}; }

  int open_index() const { return n_ages - 1; }
  int age_start(int index) const { return index * width_years; }
  int open_age() const { return open_index() * width_years; }
  // Number of life-table rows the grid needs: single years 0..w, or abridged 0, 1-4, 5-9, …, open.
  int life_table_rows() const { return width_years == 1 ? n_ages : n_ages + 1; }
  void validate() const;  // throws InputError unless z ∈ {1,5} and n_ages ≥ 3
  friend bool operator==(const AgeGrid&, const AgeGrid&) = default;
};

// Bad input: a message a user can act on (which schedule, zone, group, sex, age, year and what was expected).
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A projection that cannot continue under the chosen policy (e.g. a negative cell in `error` mode).
class ProjectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace cohortgis
