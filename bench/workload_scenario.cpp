// SPDX-License-Identifier: Apache-2.0
// The benchmark workload written as a scenario folder (scenarios/README.md) that `cohortgis run` and
// cohortgis.load_scenario accept: the same model, so the folder's projection equals the workload's in-memory one bit
// for bit (tests/bench/test_workload_scenario.cpp). Numbers are written as every output writes them (number_cell:
// the shortest text that reads back as the same double).
#include <netcdf.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "cohortgis/engine/index_cast.hpp"
#include "cohortgis/engine/number_text.hpp"
#include "workload.hpp"

namespace cohortgis::bench {

namespace {

// One CSV file written through a buffer; rows of plain ids and numbers (nothing to quote).
class CsvOut {
 public:
  CsvOut(const std::string& path, const char* header) : out_(path, std::ios::binary) {
    if (!out_) throw std::runtime_error("cannot write " + path);
    out_ << header << '\n';
  }
  CsvOut& num(double v) { return text(number_cell(v)); }
  CsvOut& text(const std::string& s) {
    if (!first_) out_ << ',';
    out_ << s;
    first_ = false;
    return *this;
  }
  void end() {
    out_ << '\n';
    first_ = true;
  }

 private:
  std::ofstream out_;
  bool first_ = true;
};

const char* const kGroupName[Workload::kGroups] = {"registered", "floating"};
const char* const kSexName[2] = {"female", "male"};

// base_population.nc: population(zone, group, sex, age) with string coordinates zone, group, sex and integer ages,
// the layout of results.nc without its variant and year (scenarios/README.md "Base population as a NetCDF cube").
void write_population_cube(const Workload& w, const ProjectionConfig& cfg, const std::string& path) {
  auto check = [&](int status, const char* what) {
    if (status != NC_NOERR) throw std::runtime_error(path + ": " + what + ": " + nc_strerror(status));
  };
  const int Z = w.options().zones, A = w.grid().n_ages, G = Workload::kGroups;
  int id = -1;
  check(nc_create(path.c_str(), NC_NETCDF4 | NC_CLOBBER, &id), "creating");
  int dim[4], var[5];
  check(nc_def_dim(id, "zone", uz(Z), &dim[0]), "zone");
  check(nc_def_dim(id, "group", uz(G), &dim[1]), "group");
  check(nc_def_dim(id, "sex", 2, &dim[2]), "sex");
  check(nc_def_dim(id, "age", uz(A), &dim[3]), "age");
  check(nc_def_var(id, "zone", NC_STRING, 1, &dim[0], &var[0]), "zone");
  check(nc_def_var(id, "group", NC_STRING, 1, &dim[1], &var[1]), "group");
  check(nc_def_var(id, "sex", NC_STRING, 1, &dim[2], &var[2]), "sex");
  check(nc_def_var(id, "age", NC_INT, 1, &dim[3], &var[3]), "age");
  check(nc_def_var(id, "population", NC_DOUBLE, 4, dim, &var[4]), "population");
  check(nc_put_att_text(id, var[4], "units", 7, "persons"), "units");
  check(nc_enddef(id), "enddef");
  std::vector<const char*> zones;
  for (int zi = 0; zi < Z; ++zi) zones.push_back(cfg.zone_ids[uz(zi)].c_str());
  check(nc_put_var_string(id, var[0], zones.data()), "zone");
  std::vector<const char*> groups(kGroupName, kGroupName + G), sexes(kSexName, kSexName + 2);
  check(nc_put_var_string(id, var[1], groups.data()), "group");
  check(nc_put_var_string(id, var[2], sexes.data()), "sex");
  std::vector<int> ages;
  for (int i = 0; i < A; ++i) ages.push_back(w.grid().age_start(i));
  check(nc_put_var_int(id, var[3], ages.data()), "age");
  check(nc_put_var_double(id, var[4], w.base_population().data().data()), "population");  // [zone][group][sex][age]
  check(nc_close(id), "closing");
}

}  // namespace

void write_scenario_folder(const Workload& w, const std::string& dir, ScheduleForm form, PopulationForm population) {
  if (w.options().step_years != 1)
    throw std::runtime_error("scenario: the workload's scenario folder has annual steps");
  std::filesystem::create_directories(dir);
  const std::string d = dir + "/";
  const int Z = w.options().zones, A = w.grid().n_ages, G = Workload::kGroups, P = w.periods();
  const int steps = w.options().steps, base_year = 2020;
  const int last_period = w.period_of_step(steps - 1);
  const ProjectionConfig cfg = w.config(1, false);

  {
    CsvOut z(d + "zones.csv", "id,name");
    for (int zi = 0; zi < Z; ++zi) z.text(cfg.zone_ids[uz(zi)]).text("Zone " + std::to_string(zi)).end();
  }
  if (population == PopulationForm::netcdf) {
    write_population_cube(w, cfg, d + "base_population.nc");
  } else {
    CsvOut b(d + "base_population.csv", "zone,group,sex,age,population");
    for (int zi = 0; zi < Z; ++zi)
      for (int g = 0; g < G; ++g)
        for (int s = 0; s < 2; ++s)
          for (int i = 0; i < A; ++i)
            b.text(cfg.zone_ids[uz(zi)])
                .text(kGroupName[g])
                .text(kSexName[s])
                .num(i)
                .num(w.base_population().at(zi, g, s, i))
                .end();
  }
  // Schedules by period: a period's rows carry the year its first step starts ("hold" until the next one).
  // Compact (zone_factors, scenarios/README.md): the workload's own tables by country as the standards and its
  // factors by zone and group, mx = factor × table as fill_period multiplies them.
  static const char* const kCountry[Workload::kCountries] = {"CHN", "JPN", "NGA", "DEU"};
  if (form == ScheduleForm::compact) {
    CsvOut mx(d + "mortality_mx_standard.csv", "year,standard,sex,age,value");
    CsvOut fx(d + "fertility_asfr_standard.csv", "year,standard,age,value");
    for (int p = 0; p <= last_period && p < P; ++p) {
      const std::string year = std::to_string(base_year + p * Workload::kPeriodYears);
      for (int c = 0; c < Workload::kCountries; ++c) {
        for (int sx = 0; sx < 2; ++sx)
          for (int i = 0; i < A; ++i)
            mx.text(year)
                .text(kCountry[c])
                .text(kSexName[sx])
                .num(i)
                .num(w.mx_table()[((uz(c) * uz(P) + uz(p)) * 2 + uz(sx)) * uz(A) + uz(i)])
                .end();
        for (int i = 10; i <= 54 && i < A; ++i)  // childbearing ages; the rates are 0 elsewhere
          fx.text(year).text(kCountry[c]).num(i).num(w.asfr_table()[(uz(c) * uz(P) + uz(p)) * uz(A) + uz(i)]).end();
      }
    }
    CsvOut mf(d + "mortality_factors.csv", "zone,group,standard,value");
    CsvOut ff(d + "fertility_factors.csv", "zone,group,standard,value");
    for (int zi = 0; zi < Z; ++zi)
      for (int g = 0; g < G; ++g) {
        const std::size_t st = uz(zi) * uz(G) + uz(g);
        const char* c = kCountry[w.country()[uz(zi)]];
        mf.text(cfg.zone_ids[uz(zi)]).text(kGroupName[g]).text(c).num(w.mx_factor()[st]).end();
        ff.text(cfg.zone_ids[uz(zi)]).text(kGroupName[g]).text(c).num(w.asfr_factor()[st]).end();
      }
  } else {
    // Full tables built by the workload's own fill_period, so the values are the engine's inputs of the in-memory run.
    CsvOut mx(d + "mortality_mx.csv", "year,zone,group,sex,age,value");
    CsvOut fx(d + "fertility_asfr.csv", "year,zone,group,age,value");
    StepSchedules s;
    for (int p = 0; p <= last_period && p < P; ++p) {
      w.fill_period(p, s);
      const std::string year = std::to_string(base_year + p * Workload::kPeriodYears);
      for (int zi = 0; zi < Z; ++zi)
        for (int g = 0; g < G; ++g) {
          const std::size_t st = uz(zi) * uz(G) + uz(g);
          for (int sx = 0; sx < 2; ++sx)
            for (int i = 0; i < A; ++i)
              mx.text(year)
                  .text(cfg.zone_ids[uz(zi)])
                  .text(kGroupName[g])
                  .text(kSexName[sx])
                  .num(i)
                  .num(s.mortality[(st * 2 + uz(sx)) * uz(A) + uz(i)])
                  .end();
          for (int i = 10; i <= 54 && i < A; ++i)  // childbearing ages; the rates are 0 elsewhere
            fx.text(year).text(cfg.zone_ids[uz(zi)]).text(kGroupName[g]).num(i).num(s.asfr[st * uz(A) + uz(i)]).end();
        }
    }
  }
  {
    CsvOut s(d + "srb.csv", "zone,value");
    for (int zi = 0; zi < Z; ++zi) s.text(cfg.zone_ids[uz(zi)]).num(w.srb()[uz(zi)]).end();
  }
  {
    CsvOut od(d + "od_rates.csv", "origin,destination,group,rate");
    for (const OdFlow& f : w.od()->flows())
      od.text(cfg.zone_ids[uz(f.origin)])
          .text(cfg.zone_ids[uz(f.destination)])
          .text(kGroupName[f.group])
          .num(f.rate_per_year)
          .end();
    CsvOut pr(d + "od_profile.csv", "group,sex,age,value");
    for (int g = 0; g < G; ++g)
      for (int sx = 0; sx < 2; ++sx)
        for (int i = 0; i < A; ++i)
          pr.text(kGroupName[g])
              .text(kSexName[sx])
              .num(i)
              .num(w.od_profile()[(uz(g) * 2 + uz(sx)) * uz(A) + uz(i)])
              .end();
    CsvOut tr(d + "transition_rates.csv", "sex,age,value");
    for (int sx = 0; sx < 2; ++sx)
      for (int i = 0; i < A; ++i)
        tr.text(kSexName[sx]).num(i).num(w.transition().rate_per_year[uz(sx) * uz(A) + uz(i)]).end();
  }
  std::ofstream t(d + "scenario.toml", std::ios::binary);
  if (!t) throw std::runtime_error("cannot write " + d + "scenario.toml");
  t << "# The benchmark workload W" << Z << " (bench/workload.hpp), written by `bench_tool scenario`.\n"
    << "[scenario]\nname = \"bench-w" << Z << "\"\ntitle = \"Benchmark workload: " << Z
    << " synthetic zones\"\nlanguage = \"en\"\nassumptions = [\"Synthetic benchmark zones; schedules from UN WPP 2022 "
       "(China, Japan, Nigeria, Germany) with per-zone variation (bench/workload.hpp).\"]\n\n"
    << "[geography]\nzones = \"zones.csv\"\n\n"
    << "[projection]\nbase_year = " << base_year << "\nhorizon = " << base_year + steps
    << "\nstep = 1\nopen_age = " << A - 1 << "\ngroups = [\"registered\", \"floating\"]\n\n"
    << (population == PopulationForm::netcdf
            ? "[base_population]\nformat = \"netcdf\"\ntable = \"base_population.nc\"\n\n"
            : "[base_population]\ntable = \"base_population.csv\"\n\n")
    << (form == ScheduleForm::compact
            ? "[fertility]\nschedule = { path = \"fertility_asfr_standard.csv\", unit = \"per_woman\" }\n"
              "zone_factors = \"fertility_factors.csv\"\n"
            : "[fertility]\nschedule = { path = \"fertility_asfr.csv\", unit = \"per_woman\" }\n")
    << "srb = { path = \"srb.csv\", unit = \"per_female\" }\n\n"
    << (form == ScheduleForm::compact ? "[mortality]\nmx = \"mortality_mx_standard.csv\"\n"
                                        "zone_factors = \"mortality_factors.csv\"\n\n"
                                      : "[mortality]\nmx = \"mortality_mx.csv\"\n\n")
    << "[migration]\nod = { rates = \"od_rates.csv\" }\nod_profile = \"od_profile.csv\"\n\n"
    << "[[transitions]]\nfrom = \"floating\"\nto = \"registered\"\nrates = \"transition_rates.csv\"\n";
}

}  // namespace cohortgis::bench
