# SPDX-License-Identifier: Apache-2.0
"""Figures drawn by geodata's Cairo/Pango renderers (the command line's maps and charts), shown inline in Jupyter."""
from __future__ import annotations

import math
import os
import threading
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple

from . import _cohortgis

if TYPE_CHECKING:  # pragma: no cover  (annotations only: _frames imports this module)
    from ._frames import Flag

Series3 = Tuple[str, Sequence[float], Sequence[float]]


def _class_breaks(breaks: object, bounded: Callable, real_number: Callable) -> Optional[List[float]]:
    """A Figure's class breaks, as a choropleth's renderer gives them: None, or finite real numbers in increasing order
    (equal neighbours allowed: a class of one value), as a list of float. Figure(breaks=...) made by hand kept
    whatever it was given (5, ["a"], [3, 1], [nan]) and a caller reading them as a map's classes got it back."""
    if breaks is None:
        return None
    if isinstance(breaks, (str, bytes)) or not hasattr(breaks, "__iter__"):
        raise TypeError(f"breaks: expected None or a list of real numbers in increasing order, got "
                        f"{type(breaks).__name__}")
    out: List[float] = []
    for k, b in enumerate(bounded(breaks, "breaks")):
        v = real_number(b, f"breaks {k}", "a finite real number")
        if not math.isfinite(v):
            raise ValueError(f"breaks {k}: {v}; expected a finite real number")
        if out and v < out[-1]:
            raise ValueError(f"breaks {k}: {v} after {out[-1]}; expected class breaks in increasing order")
        out.append(v)
    return out


class Figure:
    """A rendered map or chart. Jupyter shows it inline (``_repr_png_`` / ``_repr_svg_``); ``save(path)`` writes
    PNG, SVG or PDF by the file's extension. Each format is rendered once, when first asked for."""

    def __init__(self, render: Callable[[str], bytes], title: str = "", breaks: Optional[List[float]] = None) -> None:
        # Checked here (a Figure made by hand): render=None failed at the first show with "'NoneType' object is not
        # callable", naming no argument.
        if not callable(render):
            raise TypeError(f"render: expected a callable(format) returning the image's bytes, got "
                            f"{type(render).__name__}")
        from ._frames import bounded, real_number, text_arg  # _frames imports this module

        self._render = render
        self._cache: Dict[str, bytes] = {}
        # Checked here, as render is: title=5 was kept, and shown by repr as if it were the figure's title.
        self.title = text_arg(title, "title")
        self.breaks = _class_breaks(breaks, bounded, real_number)  # class breaks of a choropleth (None for charts)

    def data(self, format: str = "png") -> bytes:
        """The image as bytes in ``format`` ('png', 'svg' or 'pdf')."""
        # Checked here: None reached the renderer as pybind11's "incompatible function arguments" listing.
        if not isinstance(format, str):
            raise TypeError(f"format: expected 'png', 'svg' or 'pdf', got {type(format).__name__}")
        if format not in ("png", "svg", "pdf"):
            raise ValueError(f"format {format!r}: expected 'png', 'svg' or 'pdf'")
        if format not in self._cache:
            image = self._render(format)
            # A render returning another type was handed on: save() failed with "a bytes-like object is required,
            # not 'int'", _repr_png_ gave Jupyter None.
            if not isinstance(image, bytes):
                raise TypeError(f"render: returned {type(image).__name__} for format {format!r}; expected the "
                                f"image's bytes")
            self._cache[format] = image
        return self._cache[format]

    def _repr_png_(self) -> bytes:
        return self.data("png")

    def _repr_svg_(self) -> str:
        return self.data("svg").decode("utf-8")

    def save(self, path: "str | os.PathLike[str]") -> str:
        """Writes the figure; the format follows the extension (.png, .svg, .pdf). Returns the path.

        As ``cohortgis map --out``: the image is rendered first, written under a temporary name in the same folder
        (created new, never through a link) and renamed over ``path`` only when complete, so a render or a write that
        fails (Ctrl-C, a title that is not UTF-8, a full disk, a file-size limit) leaves no file and the user's file of
        that name as it was; a file replaced keeps its permissions. A path that exists as anything but a regular file
        (a symbolic link, whose target was overwritten or, dangling, created; a FIFO, whose open waited for a reader
        without end; a device such as /dev/null; a folder) is a ValueError."""
        import itertools
        import stat

        from . import _path

        text = _path(path, "path")
        # The file's own name: a name and an extension ("png" alone was taken as a PNG named "png").
        stem, dot, ext = os.path.basename(text).rpartition(".")
        ext = ext.lower()
        if not (stem and dot) or ext not in ("png", "svg", "pdf"):
            raise ValueError(f"{text}: expected a .png, .svg or .pdf file name")
        try:
            st: "Optional[os.stat_result]" = os.lstat(text)
        except FileNotFoundError:
            st = None
        if st is not None and stat.S_ISLNK(st.st_mode):
            raise ValueError(f"{text}: a symbolic link (to {os.readlink(text)!r}); expected a .{ext} file of its own: "
                             f"give the file's own path or another name")
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise ValueError(f"{text}: not a regular file (a folder, FIFO or device); expected a .{ext} file to write")
        try:
            image = self.data(ext)
        except (ValueError, RuntimeError) as e:  # the renderer's message, said of the file the user named
            if type(e) not in (ValueError, RuntimeError):  # a subclass of its own (UnicodeError's arguments differ)
                raise
            raise type(e)(f"{text}: cannot draw the figure: {e}") from None
        head, name = os.path.split(text)
        for k in itertools.count():  # a name of this process and thread that nothing holds (O_EXCL)
            temporary = os.path.join(head, f".{name}.tmp-{os.getpid()}-{threading.get_ident()}-{k}")
            try:
                fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
                break
            except FileExistsError:
                continue
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(image)
            if st is not None:
                os.chmod(temporary, stat.S_IMODE(st.st_mode))
            os.replace(temporary, text)
        except BaseException:
            try:
                os.remove(temporary)
            except OSError:
                pass
            raise
        return text

    def draw(self, ax: "matplotlib.axes.Axes") -> "matplotlib.axes.Axes":  # noqa: F821
        """Draws the figure into a matplotlib Axes (e.g. one panel of ``plt.subplots``): the PNG rendering shown with
        ``ax.imshow``, axis lines and ticks off. Returns the Axes; ``self.ax`` keeps it."""
        import io

        import matplotlib.axes
        import matplotlib.image

        # draw(None) raised AttributeError ('NoneType' object has no attribute 'imshow') after the PNG was made.
        if not isinstance(ax, matplotlib.axes.Axes):
            raise TypeError(f"ax: expected a matplotlib Axes (e.g. from plt.subplots()), got {type(ax).__name__}; "
                            f"without one, show the figure as it is or save() it")

        image = matplotlib.image.imread(io.BytesIO(self.data("png")), format="png")
        ax.imshow(image, interpolation="antialiased")
        ax.set_axis_off()
        self.ax = ax
        return ax

    # copy.copy / copy.deepcopy as before pickling was refused (the copy module tries these before __reduce_ex__).
    def __copy__(self) -> "Figure":
        from ._frames import copy_instance  # _frames imports this module
        return copy_instance(self)

    def __deepcopy__(self, memo: dict) -> "Figure":
        from ._frames import copy_instance
        return copy_instance(self, memo)

    # Refused with the reason (pickle said "Can't pickle local object 'pyramid.<locals>.render'", an AttributeError):
    # a figure renders on demand through the C++ renderer, which pickle cannot carry.
    def __reduce_ex__(self, protocol: object) -> object:
        raise TypeError("cannot pickle cohortgis.Figure: it renders each format on demand from C++ state that pickle "
                        "cannot carry; pickle its image instead (fig.data('png'), 'svg' or 'pdf': bytes) or save() it")

    def __repr__(self) -> str:
        return f"<cohortgis.Figure {self.title!r}>"


def _into(fig: Figure, ax: "Optional[matplotlib.axes.Axes]") -> Figure:  # noqa: F821
    """The plot functions' ``ax=``: None leaves the figure for Jupyter or ``save``; an Axes gets it drawn in."""
    if ax is not None:
        fig.draw(ax)
    return fig


def choropleth(zones, values: Sequence[float], labels: Sequence[str], title: str = "", subtitle: str = "",
               legend_title: str = "", classes: int = 5, method: str = "quantile", legend_decimals: int = 1,
               diverging: Flag = False, source_note: str = "Source: cohortgis projection",
               width_px: int = 1200, height_px: int = 900, ax=None) -> Figure:
    """Choropleth of a GeoDataFrame's polygons (any CRS; drawn in an equal-area projection centred on them).
    ``ax``: a matplotlib Axes to draw it into (Figure.draw)."""
    if zones.crs is None:
        raise ValueError("zones: the GeoDataFrame has no CRS")
    from ._frames import text_arg  # _frames imports this module

    # Text checked before the first render (the C++ renderer's answer was pybind11's argument listing).
    for what, value in (("title", title), ("subtitle", subtitle), ("legend_title", legend_title),
                        ("source_note", source_note), ("method", method)):
        text_arg(value, what)
    labels = [text_arg(v, "labels") for v in labels]
    ids = [str(i) for i in zones.index]
    wkt = list(zones.geometry.to_wkt())
    crs = zones.crs.to_wkt()
    vals = [float("nan") if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values]

    def render(fmt: str) -> bytes:
        img, _ = _cohortgis.render_choropleth(ids, wkt, crs, vals, list(labels), title, subtitle, legend_title,
                                              source_note, classes, method, width_px, height_px, legend_decimals,
                                              "", diverging, fmt)
        return img

    png, breaks = _cohortgis.render_choropleth(ids, wkt, crs, vals, list(labels), title, subtitle, legend_title,
                                               source_note, classes, method, width_px, height_px, legend_decimals,
                                               "", diverging, "png")
    fig = Figure(render, title, list(breaks))
    fig._cache["png"] = png
    return _into(fig, ax)


def pyramid(stacked: Sequence[Series3], outline: Sequence[Series3], age_labels: Sequence[str], title: str = "",
            width_px: int = 900, height_px: int = 900, ax=None) -> Figure:
    """Population pyramid: ``stacked`` [(name, female, male)] bars, ``outline`` series as outlines. ``ax``: a
    matplotlib Axes to draw it into (Figure.draw)."""
    from ._frames import text_arg

    text_arg(title, "title")
    age_labels = [text_arg(v, "age_labels") for v in age_labels]
    for n, _, _ in list(stacked) + list(outline):
        text_arg(n, "series name")
    total = max((max(list(f) + list(m) + [0.0]) for _, f, m in list(stacked) + list(outline)), default=0.0)
    divisor, label = (1000.0, "thousand persons") if total >= 10000 else (1.0, "persons")
    st = [(n, [float(x) for x in f], [float(x) for x in m]) for n, f, m in stacked]
    ol = [(n, [float(x) for x in f], [float(x) for x in m]) for n, f, m in outline]

    def render(fmt: str) -> bytes:
        return _cohortgis.render_pyramid(st, ol, title, list(age_labels), label, divisor, width_px, height_px, fmt)

    return _into(Figure(render, title), ax)


def lines(series: Sequence[Series3], title: str = "", x_label: str = "", y_label: str = "",
          width_px: int = 900, height_px: int = 600, ax=None) -> Figure:
    """Lines over x, one per (name, x, y) series. ``ax``: a matplotlib Axes to draw it into (Figure.draw)."""
    from ._frames import text_arg

    for what, value in (("title", title), ("x_label", x_label), ("y_label", y_label)):
        text_arg(value, what)
    ss = [(text_arg(n, "series name"), [float(v) for v in x], [float(v) for v in y]) for n, x, y in series]

    def render(fmt: str) -> bytes:
        return _cohortgis.render_lines(ss, title, x_label, y_label, width_px, height_px, fmt)

    return _into(Figure(render, title), ax)
