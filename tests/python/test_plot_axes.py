# SPDX-License-Identifier: Apache-2.0
"""Plots drawn into matplotlib subplots (ax=), headless (Agg)."""
import io

import matplotlib

matplotlib.use("Agg")  # no display; before pyplot is imported

import matplotlib.image  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def _panel(canvas: np.ndarray, ax) -> np.ndarray:
    """The pixels of one subplot in the rendered canvas (rows counted from the top)."""
    x0, y0, x1, y1 = (int(round(v)) for v in ax.get_window_extent().extents)
    h = canvas.shape[0]
    return canvas[h - y1:h - y0, x0:x1, :3]


def test_map_pyramid_and_lines_go_into_subplots(default_results):
    fig, axes = plt.subplots(2, 2, figsize=(8, 8), dpi=80)
    axes[1, 1].set_axis_off()  # an empty panel: white
    try:
        drawn = [
            default_results.map("population", 2035, ax=axes[0, 0]),
            default_results.pyramid("110105", 2035, compare_year=2020, ax=axes[0, 1]),
            default_results.lines("population", ax=axes[1, 0]),
        ]
        for f, ax in zip(drawn, [axes[0, 0], axes[0, 1], axes[1, 0]]):
            assert f.ax is ax
            assert len(ax.images) == 1 and not ax.axison
            # The image in the panel is the renderer's PNG itself, decoded independently.
            png = matplotlib.image.imread(io.BytesIO(f.data("png")), format="png")
            np.testing.assert_array_equal(ax.images[0].get_array(), png)
        assert len(axes[1, 1].images) == 0  # the other panel is left alone

        fig.canvas.draw()
        canvas = np.asarray(fig.canvas.buffer_rgba()).astype(float) / 255.0
        for ax in (axes[0, 0], axes[0, 1], axes[1, 0]):
            ink = (_panel(canvas, ax) < 0.9).any(axis=2).mean()
            assert ink > 0.02, ink  # something drawn in each of the three panels
        empty = _panel(canvas, axes[1, 1])
        assert (empty > 0.99).all()  # the fourth panel stays white
    finally:
        plt.close(fig)


def test_without_ax_nothing_is_drawn(default_results):
    before = plt.get_fignums()
    f = default_results.lines("tfr")
    assert not hasattr(f, "ax") and plt.get_fignums() == before
