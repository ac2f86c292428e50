"""Charts drawn on the server as inline SVG: no script, nothing loaded from elsewhere.

The SVG carries its own ``<title>`` and ``<desc>`` for screen readers;
the page that shows a chart also gives its figures as a table.
"""

from __future__ import annotations

import hashlib
from datetime import date

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

# Room for the labels around the plot, in SVG units.
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 24
#: The widest a bar gets, so a few days do not look like a wall.
MAX_BAR_WIDTH = 24


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def _xy(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def bar_chart_svg(
    points: list[tuple[date, int]], *, width: int = 720, height: int = 240, label: str
) -> SafeString:
    """An accessible SVG bar chart of one value per day, every text escaped.

    ``points`` are in date order, one per day (zeros included, so gaps
    show). Bars and text are drawn in ``currentColor``: the surrounding
    element's text colour decides the chart's, in light and dark themes.
    """
    # Two charts on one page need distinct ids for aria-labelledby.
    uid = "chart-" + hashlib.blake2s(repr((label, points)).encode(), digest_size=4).hexdigest()
    if points:
        total = sum(value for _, value in points)
        peak_day, peak = max(points, key=lambda point: point[1])
        description = gettext(
            "One bar per day from %(start)s to %(end)s. %(total)s in all; "
            "the highest day is %(peak_day)s with %(peak)s."
        ) % {
            "start": points[0][0].isoformat(),
            "end": points[-1][0].isoformat(),
            "total": _n(total),
            "peak_day": peak_day.isoformat(),
            "peak": _n(peak),
        }
    else:
        peak = 0
        description = gettext("No data yet.")

    plot_width = width - LEFT - RIGHT
    plot_height = height - TOP - BOTTOM
    step = plot_width / len(points) if points else plot_width
    gap = 1 if step > 3 else 0
    bar_width = max(min(step - gap, MAX_BAR_WIDTH), 0.5)
    rects = []
    for i, (day, value) in enumerate(points):
        bar = plot_height * value / peak if peak else 0
        rects.append(
            (
                _xy(LEFT + i * step + (step - bar_width) / 2),
                _xy(TOP + plot_height - bar),
                _xy(bar_width),
                _xy(bar),
                day.isoformat(),
                _n(value),
            )
        )
    bars = format_html_join(
        "", '<rect x="{}" y="{}" width="{}" height="{}"><title>{}: {}</title></rect>', rects
    )
    axis_labels = format_html(
        '<text x="{}" y="{}" text-anchor="end">{}</text>'
        '<text x="{}" y="{}" text-anchor="end">0</text>',
        LEFT - 6,
        TOP + 10,
        _n(peak),
        LEFT - 6,
        TOP + plot_height,
    )
    if points:
        axis_labels += format_html(
            '<text x="{}" y="{}" text-anchor="start">{}</text>',
            LEFT,
            height - 6,
            points[0][0].isoformat(),
        )
    if len(points) > 1:
        axis_labels += format_html(
            '<text x="{}" y="{}" text-anchor="end">{}</text>',
            width - RIGHT,
            height - 6,
            points[-1][0].isoformat(),
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'role="img" aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{label}</title><desc id="{id}-desc">{desc}</desc>'
        '<g fill="currentColor" font-size="11" font-family="sans-serif">{axis}</g>'
        '<line x1="{left}" y1="{base}" x2="{right}" y2="{base}" stroke="currentColor" '
        'stroke-opacity="0.4"/>'
        '<g fill="currentColor">{bars}</g>'
        "</svg>",
        w=width,
        h=height,
        id=uid,
        label=label,
        desc=description,
        axis=axis_labels,
        left=LEFT,
        right=width - RIGHT,
        base=TOP + plot_height,
        bars=bars,
    )
