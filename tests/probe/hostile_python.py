#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Python misuse probe (issue 16, round 3): 49 cases of wrong types, None, NUL in paths, bad thread and trajectory
counts, one ScenarioSet run from four threads at once (same numbers), methods on bad names. Not a ctest; the
findings became tests in tests/python/test_misuse.py and test_ensemble.py.
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_python.py [WORK_DIR]"""
import os, sys, shutil, threading
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import REPO, Prober, work_folder  # noqa: E402
import cohortgis as cg  # noqa: E402
FIX = os.path.join(REPO, 'tests/fixtures')
W = work_folder('cohortgis-hostile-python-', sys.argv[1] if len(sys.argv) > 1 else None)
for f in os.listdir(FIX + '/scenarios/parity'): shutil.copy(FIX + '/scenarios/parity/' + f, W + '/par_' + f)
par = open(W + '/par_scenario.toml').read()
for f in ['base.csv', 'rates.csv', 'base_shares.csv', 'mx.csv', 'rates_three_child.csv']:
    par = par.replace('"%s"' % f, '"par_%s"' % f)
open(W + '/par.toml', 'w').write(par)
for f in ['stochastic.toml', 'base.csv', 'asfr.csv', 'mx.csv', 'good.toml']:
    shutil.copy(FIX + '/scenarios/' + f, W + '/' + f)
ms = open(FIX + '/bad/multistate_negative_probability.toml').read().split('[[transitions]]')[0] + \
    '[[transitions]]\nfrom = "floating"\nto = "registered"\nrate = 0.02\n'
for f in ['base_two_groups.csv']: shutil.copy(FIX + '/bad/' + f, W)
open(W + '/ms.toml', 'w').write(ms.replace('"asfr.csv"', '"asfr.csv"'))
P = Prober()
probe = P.probe
probe('load ms', lambda: cg.load_scenario(W + '/ms.toml'), None)
probe('load par', lambda: cg.load_scenario(W + '/par.toml'), None)
sto = probe('load sto', lambda: cg.load_scenario(W + '/stochastic.toml'), None)
ms_set = cg.load_scenario(W + '/ms.toml')
par_set = cg.load_scenario(W + '/par.toml')
probe('run ms', lambda: ms_set.run(threads=1), None)
# parity runs in memory since issue 15 (Results.parity_frame)
probe('run par in memory', lambda: par_set.run(threads=1), None)
probe('load None', lambda: cg.load_scenario(None))
probe('load int', lambda: cg.load_scenario(5))
probe('load bytes path', lambda: cg.load_scenario(b'/etc/passwd'))
probe('load folder', lambda: cg.load_scenario(W))
os.mkfifo(W + '/fifo.toml')
probe('load fifo', lambda: cg.load_scenario(W + '/fifo.toml'))
probe('load nul in path', lambda: cg.load_scenario(W + '/ms.toml\x00x'))
probe('load allow_read str (one folder, by design)', lambda: cg.load_scenario(W + '/ms.toml', allow_read='/'), None)
probe('load allow_read None elems', lambda: cg.load_scenario(W + '/ms.toml', allow_read=[None]),
      (ValueError, TypeError))
probe('threads -1', lambda: ms_set.run(threads=-1))
probe('threads nan', lambda: ms_set.run(threads=float('nan')))
probe('threads True', lambda: ms_set.run(threads=True))
probe('threads 2**70', lambda: ms_set.run(threads=2**70))
probe('variants unknown', lambda: ms_set.run(variants=['nope']), (ValueError, KeyError))
probe('variants str', lambda: ms_set.run(variants='baseline'), (ValueError, TypeError, KeyError))
probe('traj 0', lambda: sto.run(trajectories=0))
probe('traj -1', lambda: sto.run(trajectories=-1))
probe('traj 2**40', lambda: sto.run(trajectories=2**40))
probe('traj 2**70', lambda: sto.run(trajectories=2**70))
probe('traj float', lambda: sto.run(trajectories=2.5))
probe('traj str', lambda: sto.run(trajectories='5'))
probe('seed -5', lambda: sto.run(trajectories=2, seed=-5))
probe('seed 2**40', lambda: sto.run(trajectories=2, seed=2**40))
probe('seed float', lambda: sto.run(trajectories=2, seed=1.5))
probe('indicators unknown', lambda: sto.run(trajectories=2, indicators=['gdp']))
probe('indicators None elem', lambda: sto.run(trajectories=2, indicators=[None]))
probe('traj on ms (no file?)', lambda: ms_set.run(trajectories=2), None)
# write_outputs
probe('write_outputs fifo scenario', lambda: cg.write_outputs(W + '/fifo.toml', W + '/o1'))
probe('write_outputs out None', lambda: cg.write_outputs(W + '/ms.toml', None), (ValueError, TypeError))
probe('write_outputs out file', lambda: cg.write_outputs(W + '/ms.toml', W + '/ms.toml'))
probe('write_outputs format bad', lambda: cg.write_outputs(W + '/ms.toml', W + '/o2', format='xml'))
probe('write_outputs threads -3', lambda: cg.write_outputs(W + '/ms.toml', W + '/o3', threads=-3))
probe('write_outputs traversal out', lambda: cg.write_outputs(W + '/ms.toml', '/proc/self/x'), (ValueError, OSError))
# objects across threads: same ScenarioSet run in 4 threads
res = []; errs = []
def worker():
    try: res.append(ms_set.run(threads=1))
    except BaseException as e: errs.append(e)
ts = [threading.Thread(target=worker) for _ in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
P.n += 1
import numpy as np
if errs or len(res) != 4: print('WRONG threads reuse', errs); P.bad.append('threads reuse')
else:
    same = all(np.array_equal(res[0].population(), r.population()) for r in res)
    print('ok    threads reuse, identical:', same)
    if not same: P.bad.append('threads reuse differs')
# Results misuse
r = res[0] if res else None
if r:
    probe('population unknown variant', lambda: r.population('nope'), (KeyError, ValueError))
    probe('indicator_values bad year', lambda: r.indicator_values('population', year=99999), (KeyError, ValueError))
    probe('indicator_values bad name', lambda: r.indicator_values('gdp'), (KeyError, ValueError))
    probe('indicator_values year as text (read as the year)', lambda: r.indicator_values('population', year='2025'),
          None)
    probe('pyramid bad zone', lambda: r.pyramid(zone='nope'), (KeyError, ValueError))
    probe('lines bad group', lambda: r.lines(group='ghosts'), (KeyError, ValueError))
# Scenario mutation misuse on ms
b = ms_set.baseline
for attr, val in [('base_year', 10**12), ('steps', -1), ('steps', 10**9), ('base_year', None), ('open_age', -5)]:
    def f(attr=attr, val=val):
        setattr(b, attr, val); return cg.run(b, threads=1)
    probe('set %s=%r' % (attr, val), f, (ValueError, TypeError, AttributeError))
    ms_set = cg.load_scenario(W + '/ms.toml'); b = ms_set.baseline
P.summary('python')
