# SPDX-License-Identifier: Apache-2.0
# Builds the input tables of this example from the census files in data/census (Debian python3 only):
#   python3 make_tables.py CENSUS_DIR DATA_DIR     (from here: make_tables.py ../../../data/census ../../../data)
# CENSUS_DIR: the folder with census2010_districts_age.csv, census2010_to_2020_crosswalk.csv and
# beijing_census2000_districts.csv (data/census, DATA.md there); DATA_DIR: the repository's data/ folder (the 2020
# census, data/census/census2020_districts.csv). Only reformatting: units, long layout, ages 0 and 1-4 summed to 0-4.
# The 2020 census goes only into observed_2020.csv, the back-test's exam; the estimate never reads it.
import csv, os, sys

geo, data = sys.argv[1], sys.argv[2]
AGES = ['0', '1_4'] + ['%d_%d' % (a, a + 4) for a in range(5, 85, 5)] + ['85p']

def long_census(path, codes):
    """{code: {indicator: value}} of a long census table (code, indicator, value)."""
    out = {}
    with open(path, encoding='utf-8', newline='') as f:
        for r in csv.DictReader(f):
            if r['code'] in codes:
                out.setdefault(r['code'], {})[r['indicator']] = float(r['value'])
    return out

def sex_age_rows(values):
    """(sex, first age, persons) on the 5-year grid 0-4 … 85+ (ages 0 and 1-4 summed)."""
    rows = []
    for sex, p in (('female', 'pop_f_'), ('male', 'pop_m_')):
        rows.append((sex, 0, values[p + '0'] + values[p + '1_4']))
        for a in AGES[2:]:
            rows.append((sex, int(a.split('_')[0].rstrip('p')), values[p + a]))
    return rows

def write(name, header, rows):
    with open(name, 'w', encoding='utf-8', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(header)
        w.writerows(rows)

# 2010→2020 crosswalk, Beijing rows (all weights 1: merges and renamings only).
with open(os.path.join(geo, 'census2010_to_2020_crosswalk.csv'), encoding='utf-8', newline='') as f:
    cw2010 = [r for r in csv.DictReader(f) if r['code_2010'].startswith('11')]
write('crosswalk_2010_2020.csv', ['from', 'to', 'weight'], [(r['code_2010'], r['code_2020'], r['weight']) for r in cw2010])

# 2010 census by 2010 unit, sex and age.
c2010 = long_census(os.path.join(geo, 'census2010_districts_age.csv'), {r['code_2010'] for r in cw2010})
rows = []
for code in sorted(c2010):
    rows += [(code, s, a, int(v)) for s, a, v in sex_age_rows(c2010[code])]
write('census2010_units.csv', ['zone', 'sex', 'age', 'population'], rows)

# Births of 2010 by 2020 district (the `district-fertility` variant): persons aged 0 at the 2010 census (born
# November 2009 to October 2010), women and men, summed over the units of each district; no correction for infants who
# died or moved, or for under-enumeration (stated in README.md). Read by `cohortgis estimate --levels`.
births = {}
to2020 = {r['code_2010']: r['code_2020'] for r in cw2010}
for code, v in c2010.items():
    births[to2020[code]] = births.get(to2020[code], 0) + int(v['pop_f_0'] + v['pop_m_0'])
write('births_2010.csv', ['zone', 'indicator', 'value'], [(z, 'births', b) for z, b in sorted(births.items())])

# 2000 census: district totals in 10,000 persons (one decimal) as published, by 2000 unit, and its crosswalk.
with open(os.path.join(geo, 'beijing_census2000_districts.csv'), encoding='utf-8', newline='') as f:
    c2000 = list(csv.DictReader(f))
write('census2000_units.csv', ['zone', 'sex', 'age', 'population'],
      [(r['code_2000'], 'all', 'all', round(float(r['pop_2000_10k']) * 10000)) for r in c2000])
write('crosswalk_2000_2020.csv', ['from', 'to', 'weight'], [(r['code_2000'], r['code_2020'], 1) for r in c2000])

# The back-test's earlier point (the linear benchmark): 2000 totals on the 2020 districts.
tot2000 = {}
for r in c2000:
    tot2000[r['code_2020']] = tot2000.get(r['code_2020'], 0) + round(float(r['pop_2000_10k']) * 10000)
write('earlier_2000.csv', ['year', 'zone', 'group', 'sex', 'age', 'population'],
      [(2000, z, 'all', 'all', 'all', v) for z, v in sorted(tot2000.items())])

# The exam: the 2020 census on the 2020 districts, totals and sex × age.
c2020 = long_census(os.path.join(data, 'census', 'census2020_districts.csv'), set(tot2000))
rows = []
for code in sorted(c2020):
    rows.append((2020, code, 'all', 'all', 'all', int(c2020[code]['pop_resident'])))
    rows += [(2020, code, 'all', s, a, int(v)) for s, a, v in sex_age_rows(c2020[code])]
write('observed_2020.csv', ['year', 'zone', 'group', 'sex', 'age', 'population'], rows)
