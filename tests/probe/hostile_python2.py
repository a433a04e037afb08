#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Second Python misuse probe (round 4, engineer h8): cases hostile_python.py does not cover: __fspath__ that
raises or returns bytes/None, huge and NumPy ints, misspelt keyword arguments, results and arrays used after their
scenario set or result is deleted, pickling, copy, threads running different scenarios and writing one --out at
once, KeyboardInterrupt (SIGINT) during run and write_outputs, a progress callback that raises, re-enters or deletes,
fork after load, network paths in data_dir/allow_read, NaN/huge years in set_tfr/set_srb.
A crash (SIGSEGV/SIGABRT) ends the probe: that is a failure too. Not a ctest (about 30 s).
Usage: PYTHONPATH=build/python /usr/bin/python3 tests/probe/hostile_python2.py [WORK_DIR]"""
import os, sys, threading, signal, time, gc, pickle, copy, pathlib
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe_common import Prober, python_work  # noqa: E402
import numpy as np
import cohortgis as cg
W, GOOD, STO = python_work('cohortgis-hostile-python2-')
P = Prober()
probe = P.probe

class Raises(os.PathLike):
    def __fspath__(self): raise RuntimeError('fspath exploded')
class Gives(os.PathLike):
    def __init__(self, v): self.v = v
    def __fspath__(self): return self.v
class BadStr(str):
    def __str__(self): raise RuntimeError('str exploded')

good = cg.load_scenario(GOOD)
ref = good.run(threads=1)
REF = np.array(ref.population(), copy=True)

# ---- paths
probe('fspath raises', lambda: cg.load_scenario(Raises()), (RuntimeError,))
probe('fspath bytes', lambda: cg.load_scenario(Gives(GOOD.encode())))
probe('fspath None', lambda: cg.load_scenario(Gives(None)))
probe('fspath int', lambda: cg.load_scenario(Gives(3)))
probe('fspath NUL', lambda: cg.load_scenario(Gives(GOOD + '\0x')))
probe('pathlib ok', lambda: cg.load_scenario(pathlib.Path(GOOD)), None)
probe('str subclass __str__ raises', lambda: cg.load_scenario(BadStr(GOOD)), None)
probe('write_outputs fspath raises', lambda: cg.write_outputs(GOOD, Raises()), (RuntimeError,))
probe('write_outputs out = scenario folder', lambda: cg.write_outputs(GOOD, W), (ValueError,))
probe('write_outputs out = /', lambda: cg.write_outputs(GOOD, '/'), (ValueError,))
# data_dir is a trusted argument (as the command line's); GDAL's network is off, so it is either refused or unused.
probe('data_dir vsicurl (trusted; refused or unused)',
      lambda: cg.load_scenario(GOOD, data_dir='/vsicurl/http://127.0.0.1:9/') and None, None)
probe('allow_read vsicurl', lambda: cg.load_scenario(GOOD, allow_read=['/vsicurl/http://127.0.0.1:9/']), (ValueError,))
probe('allow_db connection string', lambda: cg.load_scenario(GOOD, allow_db=['x host=127.0.0.1']), (ValueError,))
probe('allow_read generator', lambda: cg.load_scenario(GOOD, allow_read=(p for p in [W])), None)
probe('allow_read dict', lambda: cg.load_scenario(GOOD, allow_read={W: 1}), None)
probe('allow_read bytes elems', lambda: cg.load_scenario(GOOD, allow_read=[W.encode()]))
probe('allow_read missing folder', lambda: cg.load_scenario(GOOD, allow_read=[W + '/nope']), (ValueError,))

# ---- numbers
probe('threads 2**63', lambda: good.run(threads=2**63))
probe('threads -2**63', lambda: good.run(threads=-2**63))
probe('threads np.int64(1)', lambda: good.run(threads=np.int64(1)), None)
probe('threads np.float64(1)', lambda: good.run(threads=np.float64(1)))
probe('threads np.int64(2**40)', lambda: good.run(threads=np.int64(2**40)))
sto = cg.load_scenario(STO)
probe('traj 2**63', lambda: sto.run(trajectories=2**63))
probe('traj np.int64(2)', lambda: sto.run(trajectories=np.int64(2)), None)
probe('traj True', lambda: sto.run(trajectories=True))
probe('seed 2**31', lambda: sto.run(trajectories=2, seed=2**31))
probe('seed 2**64', lambda: sto.run(trajectories=2, seed=2**64))
probe('seed None ok', lambda: sto.run(trajectories=2, seed=None), None)
b = cg.load_scenario(GOOD).baseline
probe('set_tfr nan', lambda: cg.run(b.set_tfr({2020: float('nan')})), (ValueError,))
b = cg.load_scenario(GOOD).baseline
probe('set_tfr year 10**30', lambda: cg.run(b.set_tfr({10**30: 1.0})), (ValueError, TypeError, OverflowError))
b = cg.load_scenario(GOOD).baseline
probe('set_srb 1e309', lambda: cg.run(b.set_srb({2020: 1e309})), (ValueError,))
b = cg.load_scenario(GOOD).baseline
probe('set_tfr year -0.0', lambda: cg.run(b.set_tfr({-0.0: 1.0})), (ValueError, TypeError))

# ---- keyword misuse
probe('run thread=1', lambda: good.run(thread=1), (TypeError,))
probe('load allow_reads', lambda: cg.load_scenario(GOOD, allow_reads=[W]), (TypeError,))
probe('write_outputs format None', lambda: cg.write_outputs(GOOD, W + '/o_fmt', format=None))
probe('write_outputs format 5', lambda: cg.write_outputs(GOOD, W + '/o_fmt', format=5))
probe('write_outputs compress yes', lambda: cg.write_outputs(GOOD, W + '/o_cmp', compress='yes'))
probe('run progress=5', lambda: good.run(threads=1, progress=5))
probe('variants [None]', lambda: good.run(variants=[None]), (TypeError, KeyError, ValueError))
probe('indicators str', lambda: sto.run(trajectories=2, indicators='population'), (TypeError, ValueError))
probe('getitem 5', lambda: good[5], (TypeError, KeyError))
probe('empty Scenario run', lambda: cg.run(cg.Scenario()), (ValueError,))

# ---- lifetimes
def after_delete():
    s = cg.load_scenario(GOOD); r = s.run(threads=1)
    del s; gc.collect()
    return np.array_equal(np.asarray(r.population()), REF) or (_ for _ in ()).throw(AssertionError('changed'))
probe('results after set deleted', after_delete, None)
def array_after_delete():
    r = cg.load_scenario(GOOD).run(threads=1); a = r.population(); del r; gc.collect()
    junk = [np.ones(10000) for _ in range(100)]  # reuse of freed memory would show as a difference
    return np.array_equal(np.asarray(a), REF) or (_ for _ in ()).throw(AssertionError('changed'))
probe('array after results deleted', array_after_delete, None)
probe('array read-only', lambda: ref.population().__setitem__((0,), 1), (ValueError, TypeError))

# ---- pickling and copies
probe('pickle ScenarioSet', lambda: pickle.loads(pickle.dumps(good)), (TypeError, pickle.PicklingError, AttributeError))
probe('pickle Scenario', lambda: pickle.loads(pickle.dumps(good.baseline)), (TypeError, pickle.PicklingError))
probe('pickle results', lambda: pickle.loads(pickle.dumps(ref)), (TypeError, pickle.PicklingError, AttributeError))
def deep_copy_run():
    c = copy.deepcopy(good.baseline); return np.array_equal(np.asarray(cg.run(c, threads=1).population()), REF) or 1 / 0
probe('deepcopy baseline runs the same', deep_copy_run, None)

# ---- threads
res, errs = [], []
def w(path):
    try: res.append((path, np.array(cg.load_scenario(path).run(threads=1).population(), copy=True)))
    except BaseException as e: errs.append(e)
ts = [threading.Thread(target=w, args=(p,)) for p in [GOOD, STO, GOOD, STO, GOOD, STO]]
[t.start() for t in ts]; [t.join() for t in ts]
P.n += 1
if errs or any(p == GOOD and not np.array_equal(a, REF) for p, a in res):
    print('WRONG threads different scenarios', errs); P.bad.append('threads different scenarios')
else: print('ok    threads different scenarios')
outs, oerrs = [], []
def wo():
    try: outs.append(cg.write_outputs(GOOD, W + '/same_out', threads=1))
    except ValueError as e: oerrs.append(e)
    except BaseException as e: oerrs.append(('WRONG', e))
ts = [threading.Thread(target=wo) for _ in range(4)]
[t.start() for t in ts]; [t.join() for t in ts]
P.n += 1
left = [x for x in os.listdir(W) if x.startswith('same_out.')]
if not outs or any(isinstance(e, tuple) for e in oerrs) or left or not os.path.exists(W + '/same_out/manifest.json'):
    print('WRONG write_outputs 4 threads one out', len(outs), oerrs, left); P.bad.append('write_outputs threads')
else: print('ok    write_outputs 4 threads one out: %d wrote, %d refused' % (len(outs), len(oerrs)))
def mutate_while_running():
    s = cg.load_scenario(STO); base = s.baseline; stop = threading.Event()
    def m():
        while not stop.is_set():
            try: base.set_tfr({2020: 1.5})
            except Exception: pass
    t = threading.Thread(target=m); t.start()
    try: return s.run(threads=2, trajectories=50)
    finally: stop.set(); t.join()
probe('mutate scenario while running', mutate_while_running, None)

# ---- KeyboardInterrupt
def interrupted(fn):
    signal.setitimer(signal.ITIMER_REAL, 0.5)
    old = signal.signal(signal.SIGALRM, lambda *a: os.kill(os.getpid(), signal.SIGINT))
    try: return fn()
    finally: signal.setitimer(signal.ITIMER_REAL, 0); signal.signal(signal.SIGALRM, old)
t0 = time.time()
# 200,000 trajectories: about 2 s on round 11's 2-core VM (20,000 had become 0.2 s, over before the 0.5 s alarm); the
# scenario is loaded before the alarm is set.
probe('KeyboardInterrupt during run', lambda: (lambda s: interrupted(lambda: s.run(threads=2, trajectories=200000)))(
    cg.load_scenario(W + '/long.toml')), (KeyboardInterrupt,))
print('      stopped after %.1f s' % (time.time() - t0))
probe('KeyboardInterrupt during write_outputs', lambda: interrupted(lambda: cg.write_outputs(W + '/long.toml',
                                                                                             W + '/o_int', threads=2)),
      (KeyboardInterrupt,))
P.n += 1
# o_int itself is fine when complete (the run finished and committed before the signal came); anything else is not.
left = [x for x in os.listdir(W)
        if x.startswith('o_int') and not (x == 'o_int' and os.path.exists(W + '/o_int/manifest.json'))]
if left: print('WRONG leftover after interrupt', left); P.bad.append('interrupt leftover')
else: print('ok    nothing left after interrupt')
probe('run after interrupt still works', lambda: np.array_equal(np.asarray(good.run(threads=1).population()),
                                                                REF) or 1 / 0, None)

# ---- progress callbacks
def raiser(done, total): raise RuntimeError('callback exploded')
probe('progress raises', lambda: good.run(threads=1, progress=raiser), (RuntimeError,))
def reenter(done, total): cg.load_scenario(GOOD).run(threads=1)
probe('progress re-enters run', lambda: good.run(threads=1, progress=reenter), None)
holder = {'s': cg.load_scenario(GOOD)}
def deleter(done, total): holder.clear(); gc.collect()
probe('progress deletes its set', lambda: holder['s'].run(threads=1, progress=deleter), None)
probe('progress wrong arity', lambda: good.run(threads=1, progress=lambda: None), (TypeError,))

# ---- fork after load
def forked():
    pid = os.fork()
    if pid == 0:
        try:
            ok = np.array_equal(np.asarray(good.run(threads=2).population()), REF)
            os._exit(0 if ok else 3)
        except BaseException:
            os._exit(4)
    for _ in range(300):
        p, st = os.waitpid(pid, os.WNOHANG)
        if p: break
        time.sleep(0.1)
    else:
        os.kill(pid, signal.SIGKILL); os.waitpid(pid, 0); raise AssertionError('child hung after fork')
    if os.waitstatus_to_exitcode(st) != 0: raise AssertionError('child exit %d' % os.waitstatus_to_exitcode(st))
probe('run in a forked child', forked, None)

P.summary('python')
