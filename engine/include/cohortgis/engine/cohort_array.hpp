// SPDX-License-Identifier: Apache-2.0
// Dense arrays indexed [zone][group][sex][age] in one contiguous block, viewed through Eigen::Map.
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <span>
#include <vector>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/types.hpp"

namespace cohortgis {

struct CohortLayout {
  int zones = 0;
  int groups = 1;
  AgeGrid grid;

  std::size_t ages() const { return uz(grid.n_ages); }
  std::size_t states() const { return uz(zones) * uz(groups); }
  std::size_t cells() const { return states() * kSexes * ages(); }
  // Offset of [zone][group][sex][age 0].
  std::size_t offset(int zone, int group, int sex) const {
    return ((uz(zone) * uz(groups) + uz(group)) * kSexes + uz(sex)) * ages();
  }
  std::size_t index(int zone, int group, int sex, int age) const { return offset(zone, group, sex) + uz(age); }
  friend bool operator==(const CohortLayout&, const CohortLayout&) = default;
};

using ConstVectorMap = Eigen::Map<const Eigen::VectorXd>;
using VectorMap = Eigen::Map<Eigen::VectorXd>;

// Persons (or any per-cell quantity) by [zone][group][sex][age].
class CohortArray {
 public:
  CohortArray() = default;
  // layout.cells() values equal to fill (storage of 4 MiB and more advised for transparent huge pages on Linux).
  explicit CohortArray(const CohortLayout& layout, double fill = 0.0);

  const CohortLayout& layout() const { return layout_; }
  std::span<double> data() { return data_; }
  std::span<const double> data() const { return data_; }
  std::vector<double>& storage() { return data_; }

  double& at(int zone, int group, int sex, int age) { return data_[layout_.index(zone, group, sex, age)]; }
  double at(int zone, int group, int sex, int age) const { return data_[layout_.index(zone, group, sex, age)]; }

  // The age vector of one (zone, group, sex).
  std::span<double> ages(int zone, int group, int sex) {
    return {data_.data() + layout_.offset(zone, group, sex), layout_.ages()};
  }
  std::span<const double> ages(int zone, int group, int sex) const {
    return {data_.data() + layout_.offset(zone, group, sex), layout_.ages()};
  }
  VectorMap vec(int zone, int group, int sex) {
    return {data_.data() + layout_.offset(zone, group, sex), layout_.grid.n_ages};
  }
  ConstVectorMap vec(int zone, int group, int sex) const {
    return {data_.data() + layout_.offset(zone, group, sex), layout_.grid.n_ages};
  }
  bool empty() const { return data_.empty(); }
  double sum_zone(int zone) const;  // all groups, sexes and ages of one zone (fixed order)

 private:
  CohortLayout layout_;
  std::vector<double> data_;
};

}  // namespace cohortgis
