// SPDX-License-Identifier: Apache-2.0
// In-sample check with real data: project the UN's 1 July 2010 populations of China, Japan, Nigeria and Germany to
// 1 July 2020 with the UN's own 2010–2020 schedules (WPP 2022), and compare with the UN's 2020 estimates, which the
// UN itself produced by cohort-component accounting. The schedules here are abridged (5-year mx and ASFR), so they
// are graduated to single years first (graduation.hpp); net migration has no age detail and is distributed over
// age by a standard Rogers–Castro schedule. The tolerances below state how close that gets.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>

#include "cohortgis/engine/graduation.hpp"
#include "cohortgis/engine/migration_models.hpp"
#include "csv_fixture.hpp"
#include "projection_fixture.hpp"
#include "cohortgis/engine/index_cast.hpp"

using namespace cohortgis;
using cohortgis::test::data_file;
using cohortgis::test::read_csv;

namespace {


struct CountryData {
  std::map<std::pair<int, int>, std::vector<double>> pop;  // (year, sex) → persons by age 0..99
  double open_2010[2] = {0, 0};                          // 100+ on 1 July 2010 (WPP 2019; see DATA.md)
  std::map<std::pair<int, int>, std::vector<double>> mx;   // (period start, sex) → abridged mx 0, 1–4, …, 100+
  std::map<int, std::vector<double>> asfr5;                // period start → 10–14 … 50–54
  std::map<int, double> tfr, srb, net, births, deaths;     // calendar year
};

int sex_of(const std::string& s) { return s == "female" ? 0 : 1; }

CountryData load(const std::string& iso3) {
  CountryData d;
  auto pop = read_csv(data_file("wpp/population_single_age_2010_2020.csv"));
  for (std::size_t r = 0; r < pop.rows.size(); ++r) {
    if (pop.at(r, "iso3") != iso3) continue;
    auto& v = d.pop[{std::stoi(pop.at(r, "year")), sex_of(pop.at(r, "sex"))}];
    v.resize(100);
    v[uz(std::stoi(pop.at(r, "age")))] = 1000.0 * pop.num(r, "pop_thousands");
  }
  auto sup = read_csv(data_file("wpp/supplementary_wpp2019_population_5y_2010_2020.csv"));
  for (std::size_t r = 0; r < sup.rows.size(); ++r)
    if (sup.at(r, "iso3") == iso3 && sup.at(r, "year") == "2010" && sup.at(r, "age_group") == "100+")
      d.open_2010[sex_of(sup.at(r, "sex"))] = 1000.0 * sup.num(r, "pop_thousands");
  auto mx = read_csv(data_file("wpp/mortality_mx_abridged_2010_2020.csv"));
  for (std::size_t r = 0; r < mx.rows.size(); ++r)
    if (mx.at(r, "iso3") == iso3) d.mx[{std::stoi(mx.at(r, "period_start")), sex_of(mx.at(r, "sex"))}].push_back(mx.num(r, "mx"));
  auto f = read_csv(data_file("wpp/fertility_asfr_5y_2010_2020.csv"));
  for (std::size_t r = 0; r < f.rows.size(); ++r)
    if (f.at(r, "iso3") == iso3) d.asfr5[std::stoi(f.at(r, "period_start"))].push_back(f.num(r, "asfr"));
  auto annual = [&](const char* file, const char* col, std::map<int, double>& out, double scale) {
    auto t = read_csv(data_file(std::string("wpp/") + file));
    for (std::size_t r = 0; r < t.rows.size(); ++r)
      if (t.at(r, "iso3") == iso3) out[std::stoi(t.at(r, "year"))] = scale * t.num(r, col);
  };
  annual("tfr_annual_2010_2020.csv", "tfr", d.tfr, 1.0);
  annual("srb_annual_2010_2020.csv", "srb_males_per_female", d.srb, 1.0);
  annual("net_migration_annual_2010_2020.csv", "net_migration_thousands", d.net, 1000.0);
  annual("vital_totals_annual_2010_2020.csv", "births_thousands", d.births, 1000.0);
  annual("vital_totals_annual_2010_2020.csv", "deaths_thousands", d.deaths, 1000.0);
  return d;
}

struct InSample {
  double total_error = 0;       // relative, ages 0–99, 2020
  double max_group_error = 0;   // relative, worst five-year age group 0–4 … 80–84
  double max_old_error = 0;     // relative, worst of 85–89 … 95–99 (reported, not asserted)
  double births_error = 0;      // relative, births mid-2010 → mid-2020 vs UN calendar-year births
  double deaths_error = 0;
};

InSample project(const std::string& iso3) {
  const CountryData d = load(iso3);
  const AgeGrid grid = AgeGrid::single_year(100);
  const int A = grid.n_ages;
  CohortArray base(CohortLayout{1, 1, grid});
  for (int s = 0; s < 2; ++s) {
    for (int i = 0; i < 100; ++i) base.at(0, 0, s, i) = d.pop.at({2010, s})[uz(i)];
    base.at(0, 0, s, 100) = d.open_2010[s];
  }
  // Schedules of each period, graduated to single years.
  std::map<std::pair<int, int>, std::vector<double>> mx1;
  std::map<int, std::vector<double>> pasfr1;  // single-year ASFR shape (sums to 1)
  for (int period : {2010, 2015}) {
    for (int s = 0; s < 2; ++s) mx1[{period, s}] = graduate_abridged_mx_to_single(d.mx.at({period, s}), static_cast<Sex>(s), 100);
    auto f = graduate_asfr_five_to_single(d.asfr5.at(period));
    double sum = 0;
    for (double v : f) sum += v;
    for (double& v : f) v /= sum;
    pasfr1[period] = f;
  }
  const std::vector<double> migration_shares = rogers_castro_age_shares(grid);
  ProjectionConfig cfg;
  cfg.grid = grid;
  cfg.base_year = 2010;
  cfg.steps = 10;
  cohortgis::test::RecordingSink sink;
  Projection p(cfg, base);
  p.run(
      [&](const StepContext& ctx, StepSchedules& s) {
        // The step runs 1 July Y → 1 July Y+1: its middle is 1 January Y+1. Period schedules sit at the middle of
        // their periods (2012.5 and 2017.5); interpolate ln mx and the ASFR shape linearly in time between them.
        const double t = ctx.start_year + 1.0;
        const double wgt = std::clamp((t - 2012.5) / 5.0, 0.0, 1.0);
        s.mortality.assign(2 * uz(A), 0.0);
        for (int sx = 0; sx < 2; ++sx)
          for (int i = 0; i < A; ++i)
            s.mortality[uz(sx) * uz(A) + uz(i)] =
                std::exp((1 - wgt) * std::log(mx1.at({2010, sx})[uz(i)]) + wgt * std::log(mx1.at({2015, sx})[uz(i)]));
        // Half of each calendar year's TFR, SRB and net migration falls in the step.
        const int y = ctx.start_year;
        const double tfr = (d.tfr.at(y) + d.tfr.at(y + 1)) / 2.0;
        s.asfr.assign(uz(A), 0.0);
        for (std::size_t k = 0; k < pasfr1.at(2010).size(); ++k)
          s.asfr[10 + k] = tfr * ((1 - wgt) * pasfr1.at(2010)[k] + wgt * pasfr1.at(2015)[k]);
        s.srb = {(d.srb.at(y) + d.srb.at(y + 1)) / 2.0};
        // Net migrants by age: a standard Rogers–Castro schedule, half of them women.
        const double net = (d.net.at(y) + d.net.at(y + 1)) / 2.0;
        s.net_migrants.assign(2 * uz(A), 0.0);
        for (int sx = 0; sx < 2; ++sx)
          for (int i = 0; i < A; ++i) s.net_migrants[uz(sx) * uz(A) + uz(i)] = net / 2.0 * migration_shares[uz(i)];
      },
      sink);

  InSample r;
  const CohortArray& end = sink.populations.back();
  double proj = 0, un = 0;
  for (int g = 0; g < 20; ++g) {
    double pg = 0, ug = 0;
    for (int s = 0; s < 2; ++s)
      for (int i = 5 * g; i < 5 * g + 5; ++i) {
        pg += end.at(0, 0, s, i);
        ug += d.pop.at({2020, s})[uz(i)];
      }
    proj += pg;
    un += ug;
    double& worst = g < 17 ? r.max_group_error : r.max_old_error;
    worst = std::max(worst, std::abs(pg / ug - 1.0));
    if (std::getenv("COHORTGIS_VERBOSE")) std::printf("  %s %d-%d: %+.2f%%\n", iso3.c_str(), 5 * g, 5 * g + 4, 100 * (pg / ug - 1.0));
  }
  r.total_error = proj / un - 1.0;
  double births = 0, deaths = 0;
  for (const auto& c : sink.components) {
    for (double b : c.births) births += b;
    for (double v : c.deaths.data()) deaths += v;
  }
  // UN births and deaths from 1 July 2010 to 1 July 2020: half of 2010 and 2020, all of 2011–2019.
  double un_births = (d.births.at(2010) + d.births.at(2020)) / 2.0, un_deaths = (d.deaths.at(2010) + d.deaths.at(2020)) / 2.0;
  for (int y = 2011; y <= 2019; ++y) {
    un_births += d.births.at(y);
    un_deaths += d.deaths.at(y);
  }
  r.births_error = births / un_births - 1.0;
  r.deaths_error = deaths / un_deaths - 1.0;
  std::printf("%s 2010→2020: total %+.3f%%, worst 5-year group 0–84 %.2f%%, 85–99 %.2f%%, births %+.2f%%, deaths %+.2f%%\n",
              iso3.c_str(), 100 * r.total_error, 100 * r.max_group_error, 100 * r.max_old_error, 100 * r.births_error,
              100 * r.deaths_error);
  return r;
}

}  // namespace

class WppInSample : public ::testing::TestWithParam<const char*> {};

TEST_P(WppInSample, TenAnnualStepsLandOnTheUn2020Estimate) {
  const InSample r = project(GetParam());
  EXPECT_LT(std::abs(r.total_error), 0.005) << "total population ages 0–99 in 2020 within 0.5%";
  // Age detail of net migration is not published for 2010–2020: a standard Rogers–Castro schedule stands in for it,
  // which puts Japan's 0–9 about 5% high and Germany's 20–24 about 7% low. Ages 85+ are reported, not asserted:
  // WPP 2022 leaves out 100+ and the abridged rates above 85 are graduated here.
  EXPECT_LT(r.max_group_error, 0.075) << "every five-year age group 0–4 … 80–84 within 7.5%";
  EXPECT_LT(std::abs(r.births_error), 0.02) << "births within 2%";
  EXPECT_LT(std::abs(r.deaths_error), 0.04) << "deaths within 4%";
}

INSTANTIATE_TEST_SUITE_P(Countries, WppInSample, ::testing::Values("CHN", "JPN", "NGA", "DEU"));
