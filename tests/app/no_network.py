#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Proves that a scenario file cannot make cohortgis send a network request (issue #17).

A counting HTTP server listens on 127.0.0.1 (ephemeral port, in a thread, stopped at the end). Every route a hostile
scenario could use to reach it is tried with `cohortgis validate` (plus `cohortgis info` on a VRT, a trusted path
where only the process-wide switch-off stands in the way): each must exit 1 with a clear message, and the server
must have seen no request at all.

Usage: no_network.py COHORTGIS_EXE FIXTURES_BAD_DIR
"""
import http.server
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

EXE, BAD = sys.argv[1], sys.argv[2]
requests = []


class Counting(http.server.BaseHTTPRequestHandler):
    def _any(self):
        requests.append(self.command + " " + self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.end_headers()
        self.wfile.write(b"zone,sex,age,population\nA,female,0,1\n")

    do_GET = do_HEAD = do_POST = _any

    def log_message(self, *args):  # quiet
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
server.timeout = 1
port = server.server_address[1]
thread = threading.Thread(target=server.serve_forever, daemon=True)
thread.start()
url = f"http://127.0.0.1:{port}"

SCENARIO = '''[scenario]
name = "no_network"
[geography]
{geography}
[projection]
base_year = 2020
horizon = 2030
step = 5
open_age = 20
[base_population]
table = {base}
[fertility]
schedule = {{ path = "asfr.csv" }}
tfr = 1.5
srb = 105
[mortality]
mx = {{ path = "mx.csv", columns = {{ value = "mx" }} }}
'''
ZONES = 'zones = [ { id = "A", name = "Zone A" }, { id = "B", name = "Zone B" } ]'


def vrt(source, layer="base"):
    return (f'<OGRVRTDataSource><OGRVRTLayer name="{layer}"><SrcDataSource>{source}</SrcDataSource>'
            f'</OGRVRTLayer></OGRVRTDataSource>\n')


failures = []
work = tempfile.mkdtemp(prefix="cohortgis_no_network_")
try:
    for f in ("base.csv", "asfr.csv", "mx.csv"):
        shutil.copy(os.path.join(BAD, f), work)
    files = {
        "remote.vrt": vrt(f"/vsicurl/{url}/base.csv"),
        "remote_vrt.gpkg": vrt(f"/vsicurl/{url}/base.csv"),  # a VRT renamed: detected by content
        "remote_nested.vrt": vrt(f"/vsizip//vsicurl/{url}/x.zip/base.csv"),
        "remote_plain.vrt": vrt(f"{url}/base.csv"),
        "zones_remote.vrt": vrt(f"/vsicurl/{url}/zones.geojson", "zones"),
        "zones_http.vrt": vrt(f"{url}/zones.geojson", "zones"),
        "wfs.xml": f"<OGRWFSDataSource><URL>{url}/wfs</URL></OGRWFSDataSource>\n",
        "via_wfs.vrt": vrt("wfs.xml").replace("<SrcDataSource>", '<SrcDataSource relativeToVRT="1">'),
    }
    for name, text in files.items():
        with open(os.path.join(work, name), "w", encoding="utf-8") as fh:
            fh.write(text)

    # (name, base table or None, geography or None, expected message)
    routes = [
        ("plain URL", f'"{url}/base.csv"', None, "URLs"),
        ("data:/vsicurl/ URL", f'"data:/vsicurl/{url}/base.csv"', None, r"virtual file systems \(/vsi"),
        ("data:/vsicurl/http:/ (one slash)", f'"data:/vsicurl/http:/127.0.0.1:{port}/base.csv"', None,
         r"virtual file systems \(/vsi"),
        ("URL-encoded /vsicurl?url=", f'"data:/vsicurl?url=http%3A%2F%2F127.0.0.1%3A{port}%2Fbase.csv"', None,
         r"virtual file systems \(/vsi"),
        ("URL-encoded path", f'"data:%2Fvsicurl%2Fhttp%3A%2F%2F127.0.0.1%3A{port}%2Fbase.csv"', None,
         r"URLs \(and URL-encoded paths\)"),
        ("/vsizip//vsicurl/", f'"/vsizip//vsicurl/{url}/x.zip/base.csv"', None, r"virtual file systems \(/vsi"),
        ("relative ../vsicurl", f'"../../vsicurl/{url}/base.csv"', None, r"virtual file systems \(/vsi"),
        ("a .vrt with a /vsicurl/ source", '"remote.vrt"', None, r"a source named in the VRT 'remote.vrt'"),
        ("the same VRT renamed .gpkg", '"remote_vrt.gpkg"', None, r"a source named in the VRT 'remote_vrt.gpkg'"),
        ("a VRT with /vsizip//vsicurl/", '"remote_nested.vrt"', None, r"virtual file systems"),
        ("a VRT with an http:// source", '"remote_plain.vrt"', None, r"URLs"),
        ("a VRT whose source is a WFS description", '"via_wfs.vrt"', None, r"OGRWFSDataSource"),
        ("geography.source VRT (/vsicurl/)", None,
         'source = { path = "zones_remote.vrt", id_field = "code" }', r"key 'geography.source.path'.*zones_remote.vrt"),
        ("geography.source VRT (http://)", None,
         'source = { path = "zones_http.vrt", id_field = "code" }', r"key 'geography.source.path'.*URLs"),
        ("geography.source URL", None,
         f'source = {{ path = "{url}/zones.geojson", id_field = "code" }}', r"key 'geography.source.path'.*URLs"),
        ("geography.source PG host", None,
         'source = { path = "PG:host=127.0.0.1 port=%d dbname=x", id_field = "code" }' % port,
         r"host, user, password or other connection setting is never taken"),
    ]
    for i, (name, base, geography, expect) in enumerate(routes):
        path = os.path.join(work, f"route{i}.toml")
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(SCENARIO.format(geography=geography or ZONES, base=base or '"base.csv"'))
        before = len(requests)
        p = subprocess.run([EXE, "validate", path], capture_output=True, text=True, timeout=60)
        if p.returncode != 1 or not re.search(expect, p.stderr):
            failures.append(f"{name}: exit {p.returncode}, stderr {p.stderr.strip()!r}; expected exit 1 and /{expect}/")
        if len(requests) != before:
            failures.append(f"{name}: the server saw {requests[before:]}")
        print(f"route {name}: exit {p.returncode}: {p.stderr.strip()[:160]}")

    # Trusted paths (the command line) still never reach the network: GDAL's network file systems are off.
    for name in ("remote.vrt", "remote_nested.vrt", "zones_http.vrt"):
        before = len(requests)
        p = subprocess.run([EXE, "info", os.path.join(work, name)], capture_output=True, text=True, timeout=60)
        if p.returncode != 1:
            failures.append(f"info {name}: exit {p.returncode}; expected 1")
        if len(requests) != before:
            failures.append(f"info {name}: the server saw {requests[before:]}")
        print(f"info {name}: exit {p.returncode}: {p.stderr.strip()[:160]}")
finally:
    server.shutdown()
    server.server_close()
    shutil.rmtree(work, ignore_errors=True)

if requests:
    failures.append(f"{len(requests)} request(s) reached the server: {requests}")
if failures:
    print("FAILED:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("no request reached the server")
