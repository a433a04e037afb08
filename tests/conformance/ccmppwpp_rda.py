# SPDX-License-Identifier: Apache-2.0
"""Reads the data sets that ccmppWPP ships (data/*.rda, R's gzip-compressed XDR serialization) into plain Python:
enough of R's format (R Internals, "Serialization Formats") for lists of data frames of numbers and strings, with
attributes. Written for the outside author's cases of round 26 (`un-package-*`); it never calls R or cohortgis.

    frames = read_list(blob)   # {"pop_count_age_sex_base": {"time_start": [...], "value": [...], ...}, ...}

`blob` is the file's bytes, e.g. `git --git-dir=<ccmppWPP clone> show 09739c8:data/wpp_input_example.rda`.
Standard library only.
"""
import gzip
import struct

NIL, SYM, PAIRLIST, CHARSXP, LGL, INT, REAL, STR, VEC, REF = 254, 1, 2, 9, 10, 13, 14, 16, 19, 255
PAIRLIKE = (2, 3, 5, 6, 17, 239, 240)  # pairlist, closure, promise, call, dots, attribute pairlists
NA_INT = -2147483648


class Value:
    """An R object: kind ('int', 'real', 'str', 'lgl', 'list', 'pairlist', 'other'), its elements, attributes."""

    def __init__(self, kind, items, attrs=None):
        self.kind, self.items, self.attrs = kind, items, attrs or {}


class _Stream:
    def __init__(self, data):
        self.data, self.pos, self.refs = data, 0, []

    def int32(self):
        (v,) = struct.unpack_from(">i", self.data, self.pos)
        self.pos += 4
        return v

    def length(self):
        n = self.int32()
        if n == -1:  # a long vector: two more words
            n = (self.int32() << 32) + self.int32()
        return n

    def attributes(self, has):
        if not has:
            return {}
        pl = self.item()
        return {tag: v for tag, v in pl.items} if pl is not None else {}

    def item(self):
        flags = self.int32()
        kind = flags & 0xFF
        has_attr, has_tag = bool(flags & 0x200), bool(flags & 0x400)
        if kind == NIL:
            return None
        if kind == REF:  # a reference to an earlier symbol or environment
            index = flags >> 8
            return self.refs[(index or self.int32()) - 1]
        if kind in (241, 242, 246, 247, 251, 252, 253):  # base/empty/global environments and markers
            return Value("other", [])
        if kind == SYM:
            name = self.item()
            self.refs.append(name)
            return name
        if kind in (249, 250):  # package or namespace environment: a string vector of its name
            self.int32()
            v = Value("other", [self.item() for _ in range(self.int32())])
            self.refs.append(v)
            return v
        if kind == 4:  # an environment: locked flag, enclosure, frame, hash table, attributes
            v = Value("other", [])
            self.refs.append(v)
            self.int32()
            for _ in range(4):
                self.item()
            return v
        if kind in PAIRLIKE:
            cells = []
            while True:
                if has_attr:
                    self.item()
                tag = self.item() if has_tag else None
                cells.append((tag, self.item()))
                flags = self.int32()
                kind = flags & 0xFF
                if kind == NIL:
                    return Value("pairlist", cells)
                if kind not in PAIRLIKE:  # a dotted pair's last CDR
                    self.pos -= 4
                    self.item()
                    return Value("pairlist", cells)
                has_attr, has_tag = bool(flags & 0x200), bool(flags & 0x400)
        if kind == CHARSXP:
            n = self.int32()
            if n == -1:
                return None  # NA_character_
            s = self.data[self.pos:self.pos + n].decode("utf-8", "replace")
            self.pos += n
            return s
        if kind in (LGL, INT):
            n = self.length()
            raw = struct.unpack_from(">%di" % n, self.data, self.pos)
            self.pos += 4 * n
            v = Value("int" if kind == INT else "lgl", [None if x == NA_INT else x for x in raw])
        elif kind == REAL:
            n = self.length()
            v = Value("real", list(struct.unpack_from(">%dd" % n, self.data, self.pos)))
            self.pos += 8 * n
        elif kind == STR:
            v = Value("str", [self.item() for _ in range(self.length())])
        elif kind in (VEC, 20):
            v = Value("list", [self.item() for _ in range(self.length())])
        elif kind == 238:  # ALTREP: class info, state, attributes
            info, state, attrs = self.item(), self.item(), self.item()
            v = self.altrep(info.items[0][1], state)
            v.attrs = {tag: a for tag, a in attrs.items} if attrs is not None else {}
            return v
        else:
            raise ValueError("R object type %d at byte %d is not read" % (kind, self.pos))
        v.attrs = self.attributes(has_attr)
        return v

    @staticmethod
    def altrep(name, state):
        if name == "compact_intseq":
            n, start, step = state.items
            return Value("int", [int(start + i * step) for i in range(int(n))])
        if name == "compact_realseq":
            n, start, step = state.items
            return Value("real", [start + i * step for i in range(int(n))])
        if name.startswith("wrap_"):
            return state.items[0]
        raise ValueError("ALTREP class %s is not read" % name)


def read_objects(blob):
    """{name: Value} of every object saved in the .rda file."""
    data = gzip.decompress(blob)
    if data[:5] not in (b"RDX2\n", b"RDX3\n") or data[5:7] != b"X\n":
        raise ValueError("not an XDR .rda file")
    s = _Stream(data)
    s.pos = 7
    version = s.int32()
    s.int32(), s.int32()  # the writer's and the minimal reader's R versions
    if version == 3:
        n = s.int32()  # the native encoding's name
        s.pos += n
    top = s.item()
    return {tag: v for tag, v in top.items}


def frame(v):
    """A data.frame as {column: [cells]}."""
    return {name: col.items for name, col in zip(v.attrs["names"].items, v.items)}


def read_list(blob):
    """The one object of a package data file, a named list of data frames: {name: frame}."""
    (obj,) = read_objects(blob).values()
    return {name: frame(df) for name, df in zip(obj.attrs["names"].items, obj.items)
            if df is not None and df.kind == "list" and "names" in df.attrs}
