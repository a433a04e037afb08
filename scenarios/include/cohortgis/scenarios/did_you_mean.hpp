// SPDX-License-Identifier: Apache-2.0
#pragma once
// "did you mean 'population'? " for a misspelt name among names known only at run time (the indicators a
// projection computes: app's [monitoring] checks), the same rule as the scenario loader's unknown keys (toml_doc.cpp).
#include <string>
#include <string_view>
#include <vector>

namespace cohortgis::scenarios {

// "did you mean 'NAME'? " when one known name is a few letters off (ASCII case and '-' for '_' ignored), else "": put
// before the list of valid names in a message.
std::string did_you_mean(std::string_view got, const std::vector<std::string>& known);

}  // namespace cohortgis::scenarios
