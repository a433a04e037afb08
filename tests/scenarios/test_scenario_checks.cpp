// SPDX-License-Identifier: Apache-2.0
// Scenario::validate and validate_runs: reserved and unsafe names, and the bound on base-population cells; the
// newborn-share check (newborn_checks.hpp). They run for scenario files and for scenarios built in Python alike.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "cohortgis/engine/types.hpp"
#include "cohortgis/geodata/read_policy.hpp"
#include "cohortgis/geodata/text_encoding.hpp"
#include "cohortgis/scenarios/newborn_checks.hpp"
#include "cohortgis/scenarios/scenario.hpp"
#include "cohortgis/scenarios/scenario_file.hpp"

using namespace cohortgis;
using scenarios::Scenario;
namespace fs = std::filesystem;

namespace {

Scenario good() {
  return scenarios::load_scenario_file(std::string(COHORTGIS_FIXTURES) + "/scenarios/good.toml", COHORTGIS_DATA)
      .runs.front();
}

std::string error_of(const Scenario& sc) {
  try {
    sc.validate();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(ScenarioChecks, GoodScenarioPasses) { EXPECT_EQ(error_of(good()), ""); }

// Hostile probe 19: a C1 control (NEL U+0085), U+2028/U+2029 and a name of spaces only were accepted as zone ids;
// lookalikes and invisible marks that do not break a line (RLM, NBSP) stay names of their own.
TEST(ScenarioChecks, LineBreakingAndBlankNamesAreRefused) {
  // (Round 22: the id in the message shows such a character as its bytes.)
  for (const auto& [id, shown] : std::vector<std::pair<std::string, std::string>>{{"A\xc2\x85"
                                                                                   "B",
                                                                                   "A\\xc2\\x85B"},
                                                                                  {"A\xc2\x9b"
                                                                                   "B",
                                                                                   "A\\xc2\\x9bB"},
                                                                                  {"A\xe2\x80\xa8"
                                                                                   "B",
                                                                                   "A\\xe2\\x80\\xa8B"},
                                                                                  {"A\xe2\x80\xa9"
                                                                                   "B",
                                                                                   "A\\xe2\\x80\\xa9B"}}) {
    Scenario sc = good();
    sc.zones[0].id = id;
    EXPECT_NE(error_of(sc).find("zone 1 id \"" + shown + "\": holds a control character"), std::string::npos)
        << error_of(sc);
  }
  Scenario sc = good();
  sc.zones[0].id = "   ";
  EXPECT_NE(error_of(sc).find("zone 1 id \"   \": only spaces; expected a name"), std::string::npos) << error_of(sc);
  sc.zones[0].id = "A\xe2\x80\x8f";  // U+200F RIGHT-TO-LEFT MARK
  EXPECT_EQ(error_of(sc), "");
  sc.zones[0].id =
      "\xc2\xa0"
      "A";  // NBSP
  EXPECT_EQ(error_of(sc), "");
  sc = good();
  sc.name =
      "a\xe2\x80\xa8"
      "b";
  EXPECT_NE(error_of(sc).find("holds a control character"), std::string::npos) << error_of(sc);
}

// The scenario's and a variant's titles on one line, as the aggregates' (round 25 backlog): a variant titled
// "more\nbirths" was two lines in the charts' legends, like two entries; each title named by its key.
TEST(ScenarioChecks, TitlesOnTwoLinesAreRefused) {
  Scenario sc = good();
  sc.title = "北京\n2020";
  EXPECT_NE(error_of(sc).find(": title \"北京\\x0a2020\": holds a control character"), std::string::npos)
      << error_of(sc);
  sc = good();
  sc.title_en =
      "Beijing\xe2\x80\xa8"
      "2020";  // U+2028 LINE SEPARATOR
  EXPECT_NE(error_of(sc).find(": title_en \"Beijing"), std::string::npos) << error_of(sc);
  EXPECT_NE(error_of(sc).find("expected a title on one line"), std::string::npos) << error_of(sc);
  sc = good();
  sc.variant = "high";
  sc.variant_title = "high\tfertility";
  EXPECT_NE(error_of(sc).find("variant \"high\" title \"high\\x09fertility\": holds a control character"),
            std::string::npos)
      << error_of(sc);
  sc.variant_title = "high fertility";
  sc.variant_title_en =
      "high\xc2\x85"
      "fertility";  // U+0085 NEXT LINE
  EXPECT_NE(error_of(sc).find("variant \"high\" title_en \"high"), std::string::npos) << error_of(sc);
  sc.variant_title_en = "High fertility \xe2\x80\x8f";  // a right-to-left mark is no line break
  EXPECT_EQ(error_of(sc), "");
}

TEST(ScenarioChecks, ReservedAndUnsafeNames) {
  Scenario sc = good();
  sc.zones[0].id = "total";
  EXPECT_NE(error_of(sc).find("zone id \"total\" is reserved for the whole area"), std::string::npos) << error_of(sc);
  sc.zones[0].id = "";
  EXPECT_NE(error_of(sc).find("zone 1 id: empty"), std::string::npos) << error_of(sc);
  sc.zones[0].id = "A\nB";
  EXPECT_NE(error_of(sc).find("zone 1 id \"A\\x0aB\": holds a control character"), std::string::npos) << error_of(sc);
  sc = good();
  sc.zones[1].id = sc.zones[0].id;
  EXPECT_NE(error_of(sc).find("zone id \"A\" appears twice"), std::string::npos) << error_of(sc);
  sc = good();
  sc.group_names[0] = "all";
  EXPECT_NE(error_of(sc).find("population group name \"all\" is reserved"), std::string::npos) << error_of(sc);
  sc.group_names[0] = "";
  EXPECT_NE(error_of(sc).find("population group 1 name: empty"), std::string::npos) << error_of(sc);
  sc = good();
  sc.aggregates = {{"total", {0}}};
  EXPECT_NE(error_of(sc).find("aggregate name \"total\" is reserved"), std::string::npos) << error_of(sc);
  sc.aggregates = {{"B", {0}}};
  EXPECT_NE(error_of(sc).find("aggregate name \"B\" is also a zone id"), std::string::npos) << error_of(sc);
  sc.aggregates = {{"", {0}}};
  EXPECT_NE(error_of(sc).find("aggregate 1 name: empty"), std::string::npos) << error_of(sc);
  sc.aggregates = {{"x", {0}}, {"x", {1}}};
  EXPECT_NE(error_of(sc).find("aggregate \"x\" appears twice"), std::string::npos) << error_of(sc);
  sc.aggregates = {{"x", {5}}};
  EXPECT_NE(error_of(sc).find("zone index 5 is not a zone"), std::string::npos) << error_of(sc);
  sc = good();
  sc.variant = "";
  EXPECT_NE(error_of(sc).find("variant name: empty"), std::string::npos) << error_of(sc);
}

// Names in these messages are quoted as every table cell is (geodata::quote_cell): bytes that are not UTF-8 and
// backslashes as \xNN, at most 40 characters, so a message stays one line of valid UTF-8 whatever the name holds.
TEST(ScenarioChecks, NamesInMessagesAreQuotedAsCells) {
  Scenario sc = good();
  sc.zones[0].id = sc.zones[1].id = "A\xff\\B";
  EXPECT_NE(error_of(sc).find("zone id \"A\\xff\\x5cB\" appears twice"), std::string::npos) << error_of(sc);
  sc = good();
  sc.aggregates = {{std::string(60, 'g'), {0}}, {std::string(60, 'g'), {1}}};
  EXPECT_NE(error_of(sc).find("aggregate \"" + std::string(40, 'g') + "…\" appears twice"), std::string::npos)
      << error_of(sc);
}

TEST(ScenarioChecks, BaseCellsAreBoundedSoNoTotalOverflows) {
  Scenario sc = good();
  sc.base_population.at(1, 0, 1, 2) = 1e300;
  EXPECT_NE(error_of(sc).find("base population, zone \"B\", group \"total\", sex male, age 10: 1e+300 persons; "
                              "expected a finite number from 0 to 1e12 per cell"),
            std::string::npos)
      << error_of(sc);
  sc = good();
  sc.base_population.at(0, 0, 0, 0) = 1.7e308;
  sc.base_population.at(0, 0, 0, 1) = 1.7e308;
  EXPECT_NE(error_of(sc).find("zone \"A\", group \"total\", sex female, age 0: 1.7e+308 persons"), std::string::npos)
      << error_of(sc);
  sc = good();
  sc.base_population.at(0, 0, 0, 0) = scenarios::kMaxCellPersons;
  EXPECT_EQ(error_of(sc), "");
  sc.base_population.at(0, 0, 0, 0) = -0.5;
  EXPECT_NE(error_of(sc).find("-0.5 persons"), std::string::npos) << error_of(sc);
}

TEST(ScenarioChecks, RunsOfASet) {
  std::vector<Scenario> runs{good(), good()};
  runs[1].variant = "more";
  EXPECT_NO_THROW(scenarios::validate_runs(runs));
  runs[1].variant = "";
  EXPECT_THROW(scenarios::validate_runs(runs), InputError);
  runs[1].variant = "baseline";
  EXPECT_THROW(scenarios::validate_runs(runs), InputError);
  runs.push_back(good());
  runs[1].variant = "v";
  runs[2].variant = "v";
  EXPECT_THROW(scenarios::validate_runs(runs), InputError);
  runs[0].variant = "first";
  EXPECT_THROW(scenarios::validate_runs(runs), InputError);
}

TEST(ScenarioChecks, ThreadCap) {
  EXPECT_NO_THROW(check_threads(0));
  EXPECT_NO_THROW(check_threads(kMaxThreads));
  EXPECT_THROW(check_threads(kMaxThreads + 1), InputError);
  EXPECT_THROW(check_threads(-1), InputError);
}

}  // namespace

// Round 21 (leftover of rounds 18 and 20): zone ids are compared byte for byte, so an NFD "Café" (e + U+0301, as macOS
// and some exports write it) in a table was "expected a zone id of the geography, got "Café"" beside a geography whose
// "Café" is NFC, and two such ids in one geography were two zones that print alike ("no rows for zones Café, Café").
// Such twins, and ids that differ only in spaces or tabs at their ends, are now named with what tells them apart.
TEST(ScenarioChecks, ZoneIdsThatReadAlikeAreNamedWithTheirDifference) {
  const std::string nfc = "Caf\xC3\xA9", nfd = "Cafe\xCC\x81";
  EXPECT_EQ(geodata::twin_difference(nfc, nfd),
            "they differ only in Unicode normalisation (Caf<U+00E9> against Cafe<U+0301>)");
  EXPECT_EQ(geodata::twin_difference("B", "B \t"), "they differ only in spaces at their ends");
  EXPECT_EQ(geodata::twin_difference(nfc, " " + nfd),
            "they differ only in Unicode normalisation (Caf<U+00E9> against Cafe<U+0301>) and in spaces at their ends");
  for (const auto& [a, b] :
       {std::pair<std::string, std::string>{"B", "b"}, {"B", "B"}, {nfc, "Cafe"}, {"\xFF", "\xFE"}})
    EXPECT_EQ(geodata::twin_difference(a, b), "") << a << " " << b;
  Scenario sc = good();
  sc.zones[0].id = nfc;
  sc.zones[1].id = nfd;
  EXPECT_NE(error_of(sc).find("zone ids \"" + nfc + "\" (zone 1) and \"" + nfd +
                              "\" (zone 2) read alike: they differ only in Unicode normalisation"),
            std::string::npos)
      << error_of(sc);
  sc.zones[1].id = nfc + " ";
  EXPECT_NE(error_of(sc).find("read alike: they differ only in spaces at their ends"), std::string::npos)
      << error_of(sc);
  sc.zones[1].id = "caf\xC3\xA9";  // case is a difference of its own
  EXPECT_EQ(error_of(sc), "");

  // A table's row whose id is the NFD twin of a zone: the message names the zone and the difference.
  const fs::path dir = fs::temp_directory_path() / ("cohortgis-twins-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path fix = fs::path(COHORTGIS_FIXTURES) / "scenarios";
  for (const char* f : {"asfr.csv", "mx.csv"}) fs::copy_file(fix / f, dir / f, fs::copy_options::overwrite_existing);
  const auto slurp = [](const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const auto replaced = [](std::string s, const std::string& from, const std::string& to) {
    for (std::size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size()))
      s.replace(i, from.size(), to);
    return s;
  };
  std::ofstream(dir / "base.csv", std::ios::binary) << replaced(slurp(fix / "base.csv"), "\nB,", "\n" + nfd + ",");
  std::ofstream(dir / "sc.toml", std::ios::binary) << replaced(
      replaced(slurp(fix / "good.toml"), "id = \"B\"", "id = \"" + nfc + "\""), "to = \"B\"", "to = \"" + nfc + "\"");
  std::string message;
  try {
    (void)scenarios::load_scenario_file((dir / "sc.toml").string(), COHORTGIS_DATA);
  } catch (const InputError& e) {
    message = e.what();
  }
  fs::remove_all(dir);
  EXPECT_NE(message.find("column 'zone': expected a zone id of the geography, got \"" + nfd +
                         "\"; the geography's zone \"" + nfc +
                         "\" reads alike: they differ only in Unicode normalisation (Caf<U+00E9> against "
                         "Cafe<U+0301>) (ids are compared byte for byte"),
            std::string::npos)
      << message;
}

// `[migration] net_rate` takes any finite rate, so only a run finds that one overflowed a population; the run's
// message then names the row to check (bad-input case migration_net_rate_overflow). The row is the zone's largest
// rate (zone B: data row 3, 1e300), else the largest of any zone (a zone of no rates of its own: -1, an aggregate),
// and nothing once the schedules no longer hold it (a host changed them: the row would not be the cause).
TEST(ScenarioChecks, OverflowNamesTheNetRateRowWhileTheSchedulesHoldIt) {
  const std::string bad = std::string(COHORTGIS_FIXTURES) + "/bad";
  Scenario sc = scenarios::load_scenario_file(bad + "/migration_net_rate_overflow.toml", COHORTGIS_DATA,
                                              geodata::ReadPolicy{{COHORTGIS_FIXTURES}, {}})
                    .runs.front();
  const std::string row3 = "key 'migration.net_rate': " + bad +
                           "/net_rate_overflow.csv, layer 'net_rate_overflow', data row 3 (row 4 counting the header "
                           "row), column 'value')";
  const std::string b = scenarios::net_rate_row_behind(sc, 1);
  EXPECT_EQ(b.find("the net migration rates reach 1e+300 persons per person over a step in zone 'B' (" + bad +
                   "/migration_net_rate_overflow.toml:27:12: "),
            0u)
      << b;
  EXPECT_NE(b.find(row3), std::string::npos) << b;
  const std::string a = scenarios::net_rate_row_behind(sc, 0);  // A's own largest: data row 1, 0.01
  EXPECT_NE(a.find("reach 0.01 persons per person over a step in zone 'A'"), std::string::npos) << a;
  EXPECT_NE(a.find("data row 1 (row 2"), std::string::npos) << a;
  EXPECT_EQ(scenarios::net_rate_row_behind(sc, -1), b);
  for (auto& s : sc.schedules)
    for (double& r : s.net_migrants_per_person) r = r > 1 ? 2.0 : r;
  const std::string changed = scenarios::net_rate_row_behind(sc, 1);  // B's row no longer held: A's, the largest
  EXPECT_NE(changed.find("reach 0.01 persons per person over a step in zone 'A'"), std::string::npos) << changed;
  for (auto& s : sc.schedules) s.net_migrants_per_person.clear();
  EXPECT_EQ(scenarios::net_rate_row_behind(sc, 1), "");
}

// Newborn rules of one mother group moving more than all of its births (births from nothing): one check and one
// message (newborn_checks.hpp) for the scenario file's [[newborn]] rules, named at the rule that passes 1, and for
// schedules a host built (Python's NewbornRule lists), named by schedule set and zone.
TEST(ScenarioChecks, NewbornSharesPastAllBirthsAreOneCheckWithOneMessage) {
  const std::string why =
      "the newborn rules of mother group 'floating' move shares summing to 1.3 of its births; "
      "expected at most 1 (the whole of its births)";
  const std::string bad = std::string(COHORTGIS_FIXTURES) + "/bad";
  std::string message;
  try {
    (void)scenarios::load_scenario_file(bad + "/newborn_shares_sum_above_1.toml", COHORTGIS_DATA,
                                        geodata::ReadPolicy{{COHORTGIS_FIXTURES}, {}});
  } catch (const InputError& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("key 'newborn[1].share': " + why), std::string::npos) << message;
  const std::vector<std::string> groups{"registered", "floating"};
  const std::vector<NewbornRule> rules{{1, 0, 0.7, {}}, {1, 0, 0.6, {}}};
  EXPECT_EQ(scenarios::newborn_share_refusal(rules, groups, 0, 2), why);
  EXPECT_EQ(scenarios::newborn_share_refusal(std::vector<NewbornRule>{{1, 0, 0.7, {}}, {1, 0, 0.3, {}}}, groups, 0, 2),
            "");  // all of them
  // A host's schedules: the loaded scenario's one group, rules by zone (0.5 everywhere, 0.7 more in zone B).
  Scenario sc = good();
  scenarios::check_newborn_share_schedules(sc);
  sc.schedules.back().newborn_rules = {{0, 0, 0.5, {}}, {0, 0, 0.0, {0.1, 0.7}}};
  message.clear();
  try {
    scenarios::check_newborn_share_schedules(sc);
  } catch (const InputError& e) {
    message = e.what();
  }
  EXPECT_EQ(message, "scenario 'tiny', variant 'baseline': schedules " + std::to_string(sc.schedules.size() - 1) +
                         ", zone 'B': the newborn rules of mother group '" + sc.group_names[0] +
                         "' move shares summing to 1.2 of its births; expected at most 1 (the whole of its births)");
  sc.schedules.back().newborn_rules = {{0, 0, 0.5, {}}, {0, 0, 0.0, {0.1, 0.5}}, {3, 0, 0.9, {}}};  // group 3: unknown
  EXPECT_NO_THROW(scenarios::check_newborn_share_schedules(sc));  // left to the engine, which names the rule
}
