#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""scenarios/README.md against the keys the scenario loader accepts, both ways.

The loader refuses unknown keys: every table of a scenario file is checked by a `Doc::allow` call (or
`Layer::allow`, `Section::allow`) with the list of its keys, so those lists are the accepted keys. This test reads
them from scenarios/src (no hand-copied list) and checks

1. parser -> README: every key of a section is named in that section's row of the README's "Sections" table (nested
   keys, e.g. `stochastic.tfr.sd`, in that row or in the README's text); every key of a table reference is a row of the
   key table under "## Tables"; every section is a row of "Sections"; every column role a `table_ref` call lists is
   named in the README;
2. README -> parser: every key the README writes in a TOML example (each ```toml block, parsed with tomllib) and
   every dotted key it names in backticks (`fertility.schedule_age_width`, `[stochastic]`) is accepted.

A new `allow` call whose prefix is computed (not a string literal) needs its key path in DYNAMIC below; the test
says so. Run: python3 tests/scenarios/readme_keys_test.py [SOURCE_DIR]

With `--examples COHORTGIS` it checks instead that every ```toml example runs as written: each goes through
`COHORTGIS validate`, fragments inside the README's complete example (readme_examples.py says how).
"""
import pathlib
import re
import sys
import tomllib

ARGS = [a for a in sys.argv[1:] if a != "--examples"]
EXAMPLES = ARGS.pop() if "--examples" in sys.argv[1:] else None  # the cohortgis binary, last argument
ROOT = pathlib.Path(ARGS[0] if ARGS else pathlib.Path(__file__).resolve().parents[2])
SRC = ROOT / "scenarios" / "src"
README = (ROOT / "scenarios" / "README.md").read_text(encoding="utf-8")
PROSE = re.sub(r'```.*?```', '', README, flags=re.S)  # backtick spans are read outside fenced blocks

FILE_SUFFIXES = {"csv", "nc", "json", "hpp", "cpp", "md", "gpkg", "html", "toml", "py"}
TABLE = "<table>"  # the keys of any table reference (toml_doc.cpp table_ref)
# Prefixes computed from a function parameter, by (file, variable, first key of the list).
DYNAMIC = {
    ("toml_doc.cpp", "key", "path"): TABLE,
    ("wpp_files.cpp", "wkey", "location"): TABLE + ".wpp",
    ("read_population_netcdf.cpp", "key", "path"): "<netcdf table>",
    ("read_base_population.cpp", "gk", "indicators"): "base_population.fit.group_totals.<group>",
    ("read_base_population.cpp", "key", "rogers_castro"): "<profile>",
    ("read_base_population.cpp", "key", "a1"): "<profile>",  # key + ".rogers_castro"
    ("read_monitoring.cpp", "key", "indicator"): "monitoring.names.<name>",
    ("read_monitoring.cpp", "key", "relative"): "monitoring.tolerances.<name>",
}


def string_literal_prefix(expr):
    """'"geography.zones[" + std::to_string(i) + "]"' -> 'geography.zones[]'; None when not literal-led."""
    m = re.match(r'\s*"([^"]*)"(.*)$', expr)
    if not m:
        return None
    text, rest = m.group(1), m.group(2)
    if text.endswith("[") and "]" in rest:
        return text + "]"
    if rest.strip() and re.search(r'\+\s*std::string\(k\.str\(\)\)', rest):
        return text + "<name>"
    return text


def resolve(var, before, fname, first):
    """The key path of a prefix variable, from its definition earlier in the file."""
    if (fname, var, first) in DYNAMIC:
        return DYNAMIC[(fname, var, first)]
    defs = list(re.finditer(r'\[\s*\w+\s*,\s*' + var + r'\s*\]\s*=\s*L\.(get|array)\(\s*"([^"]+)"(?:\s*,\s*"([^"]+)")?\)',
                            before))
    lits = list(re.finditer(r'std::string\s+' + var + r'\s*=\s*([^;]+);', before))
    best = max(defs + lits, key=lambda m: m.start(), default=None)
    if best is None:
        return None
    if best in defs:
        kind, sec, key = best.group(1), best.group(2), best.group(3)
        return sec if kind == "array" else sec + "." + key  # L.array("relocation"): the key of the array itself
    expr = best.group(1)
    lit = string_literal_prefix(expr)
    if lit is not None:
        return lit
    m = re.match(r'\s*(\w+)\s*\+\s*"([^"]*)"(.*)$', expr)  # other_var + "[" + … + "]" or + ".known[" …
    if m:
        base = resolve(m.group(1), before[: best.start()], fname, first)
        if base is None:
            return None
        tail = m.group(2)
        if tail.endswith("["):
            return base + tail + "]"
        return base + tail
    return None


def calls(text, pattern):
    """(match, argument text) of every call whose name `pattern` matches (the pattern ends with the "(")."""
    for m in re.finditer(pattern, text):
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        yield m, text[m.end(): i - 1]


def parser_keys():
    """{key path: set of keys} from every allow call in scenarios/src."""
    out, problems = {}, []
    for f in sorted(SRC.glob("*.cpp")) + sorted(SRC.glob("*.hpp")):
        text = f.read_text(encoding="utf-8")
        for m, call in calls(text, r'(\w+)\s*\.\s*allow\('):
            obj = m.group(1)
            brace = call.find("{")
            if brace < 0:  # a forwarding overload (Layer::allow(doc, sec, keys), Section::allow(keys))
                continue
            keys = re.findall(r'"([^"]*)"', call[brace:])
            args = [a.strip() for a in call[:brace].split(",") if a.strip()]
            line = text.count("\n", 0, m.start()) + 1
            where = f"{f.name}:{line}"
            owner = list(re.finditer(r'read_(\w+)\(const Section& ' + obj + r'\b', text[: m.start()]))
            if owner and not args:  # Section::allow(keys) in read_controls(const Section& c, …): [controls]
                prefix = owner[-1].group(1)
            elif not args:
                problems.append(f"{where}: allow call without a prefix")
                continue
            else:
                p, tail = args[-1], ""
                if (sum_ := re.fullmatch(r'(\w+)\s*\+\s*"([^"]*)"', p)):  # var + ".sub"
                    p, tail = sum_.group(1), sum_.group(2)
                prefix = string_literal_prefix(p) if p.startswith('"') else resolve(p, text[: m.start()], f.name, keys[0])
                if prefix is not None:
                    prefix += tail
            if prefix is None:
                problems.append(f"{where}: the prefix {args[-1]!r} of this allow call is computed; add its key path to "
                                "DYNAMIC in tests/scenarios/readme_keys_test.py")
                continue
            out.setdefault(prefix, set()).update(keys)
    return out, problems


def sections_rows():
    """{section name: row text} of the table under "## Sections"."""
    part = README.split("\n## Sections\n", 1)[1].split("\n#", 1)[0]
    rows = {}
    for line in part.splitlines():
        m = re.match(r'\|\s*`\[\[?([a-z_]+)\]?\]`\s*\|(.*)\|\s*$', line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def table_key_rows():
    part = README.split("\n## Tables\n", 1)[1].split("\n### ", 1)[0]
    return set(re.findall(r'^\|\s*`([a-z_]+)`\s*\|', part, re.M))


def backtick_tokens(text):
    toks = set()
    for span in re.findall(r'`([^`]+)`', text):
        toks.update(re.findall(r'[A-Za-z0-9_+]+', span))
    return toks


def main():
    keys, problems = parser_keys()
    rows = sections_rows()
    sections = keys.get("", set())
    # 1. parser -> README
    for s in sorted(sections):
        if s not in rows:
            problems.append(f"section [{s}] is accepted but has no row in the README's Sections table")
    for s in sorted(rows):
        if s not in sections:
            problems.append(f"the README's Sections table has a row [{s}] that the loader refuses")
    readme_tokens = backtick_tokens(PROSE)
    table_rows = table_key_rows()
    for prefix, ks in sorted(keys.items()):
        if prefix == "":
            continue
        if prefix == TABLE:
            for k in sorted(ks - table_rows):
                problems.append(f"table-reference key `{k}` has no row in the key table under '## Tables'")
            for k in sorted(table_rows - ks):
                problems.append(f"the key table under '## Tables' has a row `{k}` that table references refuse")
            continue
        top = re.match(r'[a-z_]+', prefix.lstrip("<")).group(0)
        row_tokens = backtick_tokens(rows.get(top, ""))
        nested = "." in prefix or prefix.startswith("<")
        for k in sorted(ks):
            if k in row_tokens:
                continue
            if nested and k in readme_tokens:
                continue
            where = f"the Sections row of [{top}]" if not nested else "the README"
            problems.append(f"key `{prefix}.{k}` is accepted but not named in {where}")

    # Column roles (the keys of a table reference's `columns`): each role a table_ref call lists is named in the README.
    for f in sorted(SRC.glob("*.cpp")):
        text = f.read_text(encoding="utf-8")
        for m, call in calls(text, r'\btable_ref\('):
            brace = call.rfind("{")
            for role in re.findall(r'"([^"]+)"', call[brace:]) if brace >= 0 else []:
                if role not in readme_tokens:
                    line = text.count("\n", 0, m.start()) + 1
                    problems.append(f"{f.name}:{line}: column role `{role}` is accepted but not named in the README")

    # 2. README -> parser: `key = …` in the Sections rows, TOML examples and dotted keys in backticks
    every_key = set().union(*keys.values())
    for s, row in rows.items():
        for span in re.findall(r'`([^`]+)`', row):
            m = re.match(r'\[?\{?\s*([a-z_][a-z0-9_]*)\s*=\s*(.*)$', span)
            if not m:
                continue
            rest = m.group(2)
            while re.search(r'\([^()]*\)', rest):  # roles and remarks in parentheses are no keys
                rest = re.sub(r'\([^()]*\)', '', rest)
            names = [m.group(1)] + re.findall(r'[{,]\s*([a-z_][a-z0-9_]*)(?=\s*[,}=])', rest)
            for name in names:
                if name not in every_key:
                    problems.append(f"the Sections row of [{s}] writes `{span}`: the loader has no key '{name}'")

    def accepted(path):
        """Whether a key path (list of names) is accepted; free maps and table references end the check."""
        node = ""
        for i, name in enumerate(path):
            here = keys.get(node)
            if here is None:
                return True  # inside a table reference's filter/columns/values, a path map, …
            if name not in here:
                return False
            node = (node + "." if node else "") + name
            if node + "[]" in keys and node not in keys:
                node += "[]"
        return True

    def walk(obj, path, where):
        prefix = ".".join(path)
        if isinstance(obj, list):
            for x in obj:
                if isinstance(x, dict):
                    walk(x, path[:-1] + [path[-1] + "[]"] if path else path, where)
            return
        if not isinstance(obj, dict):
            return
        if path and path[0] == "variants[]" and len(path) > 1:  # a variant's override of a section: its keys
            path, prefix = path[1:], ".".join(path[1:])
        allowed = keys.get(prefix)
        if allowed is None:
            if path and path[-1] in ("filter", "columns", "values"):
                return
            # an inline table that is no section of its own: a table reference, else a free map (years, zones, …)
            if any(k in keys[TABLE] for k in obj) and "path" in obj:
                allowed, prefix = keys[TABLE], TABLE
            else:
                return
        for k, v in obj.items():
            if k not in allowed:
                problems.append(f"README {where}: key '{'.'.join(path + [k])}' in a TOML example is refused by the loader")
                continue
            if prefix == TABLE:
                if k == "wpp" and isinstance(v, dict):
                    for wk in v:
                        if wk not in keys[TABLE + ".wpp"]:
                            problems.append(f"README {where}: key 'wpp.{wk}' is refused by the loader")
                continue
            walk(v, path + [k], where)

    n_blocks = 0
    for m in re.finditer(r'```toml\n(.*?)```', README, re.S):
        block = m.group(1)
        line = README.count("\n", 0, m.start()) + 2
        # Examples use … for elided values and `a | b` for alternatives; keep what parses as TOML.
        cleaned = "\n".join(l for l in block.splitlines() if "…" not in l and " | " not in l)
        try:
            doc = tomllib.loads(cleaned)
        except tomllib.TOMLDecodeError:
            problems.append(f"README line {line}: a ```toml block that is not TOML (write `…` only in comments)")
            continue
        n_blocks += 1
        walk(doc, [], f"line {line}")
    section_names = set(sections)
    for span in re.findall(r'`([^`\n]+)`', PROSE):
        m = re.fullmatch(r'\[\[?([a-z_]+(?:\.[a-z_]+)*)\]?\]', span) or re.fullmatch(r'([a-z_]+(?:\.[a-z_0-9]+)+)', span)
        if not m:
            continue
        path = m.group(1).split(".")
        if path[0] not in section_names or path[-1] in FILE_SUFFIXES:
            continue
        # A name relative to its section's text (`migration.sd` under "[stochastic]") is fine when some table has it.
        if not any(accepted([p for p in prefix.split(".") if p] + path) for prefix in keys if not prefix.startswith("<")):
            problems.append(f"README names `{span}`, which the loader refuses")
    for p in problems:
        print("readme_keys:", p)
    if problems:
        return 1
    n = sum(len(v) for v in keys.values())
    print(f"readme keys checked: {n} keys in {len(keys)} tables, {n_blocks} TOML examples")
    return 0


def examples_main():
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
    import readme_examples

    problems, n = readme_examples.validate_examples(README, EXAMPLES)
    for p in problems:
        print("readme_examples:", p)
    if problems:
        return 1
    print(f"readme examples validated: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(examples_main() if EXAMPLES else main())
