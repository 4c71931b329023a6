"""Server-rendered SVG charts for the analyst page (no JavaScript; numbers also shown in tables).

Each function returns SVG markup with role="img", a <title> and a <desc>, escaping every label.
Styling comes from classes in openiom.css (the CSP forbids inline styles).
"""

from __future__ import annotations

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL_WIDTH = 260
BAR_HEIGHT = 22
GAP = 10


def bar_chart(
    *, ident: str, title: str, description: str, bars: list[tuple[str, float, str]], secondary: bool = False
) -> SafeString:
    """Horizontal bars: (label, value, value text)."""
    top = max((value for _l, value, _t in bars), default=0) or 1
    height = len(bars) * (BAR_HEIGHT + GAP) + GAP
    usable = WIDTH - LABEL_WIDTH - 90
    parts = []
    for index, (label, value, text) in enumerate(bars):
        y = GAP + index * (BAR_HEIGHT + GAP)
        length = max(1.0, usable * value / top) if value else 0.0
        css = "openiom-chart__bar openiom-chart__bar--secondary" if secondary else "openiom-chart__bar"
        parts.append(
            format_html(
                '<text class="openiom-chart__label" x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect class="{}" x="{}" y="{}" width="{}" height="{}"></rect>'
                '<text class="openiom-chart__label" x="{}" y="{}">{}</text>',
                LABEL_WIDTH - 8,
                y + 16,
                label,
                css,
                LABEL_WIDTH,
                y,
                f"{length:.1f}",
                BAR_HEIGHT,
                LABEL_WIDTH + length + 6,
                y + 16,
                text,
            )
        )
    return _svg(ident, title, description, WIDTH, height, "".join(parts))


def lorenz_chart(
    *, ident: str, title: str, description: str, points: list[tuple[float, float]], x_label: str, y_label: str
) -> SafeString:
    """A Lorenz curve in a 100 x 100 unit plot area, with the line of equality."""
    left, bottom, size = 60, 330, 300
    path = " ".join(f"{left + size * x:.1f},{bottom - size * y:.1f}" for x, y in points)
    body = format_html(
        '<line class="openiom-chart__axis" x1="{l}" y1="{b}" x2="{r}" y2="{b}"></line>'
        '<line class="openiom-chart__axis" x1="{l}" y1="{b}" x2="{l}" y2="{t}"></line>'
        '<line class="openiom-chart__axis" x1="{l}" y1="{b}" x2="{r}" y2="{t}" stroke-dasharray="4 4"></line>'
        '<polyline class="openiom-chart__line" fill="none" stroke="#1d70b8" stroke-width="3" points="{p}"></polyline>'
        '<text class="openiom-chart__label" x="{cx}" y="{xl}" text-anchor="middle">{xt}</text>'
        '<text class="openiom-chart__label" x="15" y="{cy}" text-anchor="middle" transform="rotate(-90 15 {cy})">{yt}</text>'
        '<text class="openiom-chart__label" x="{l}" y="{tick}" text-anchor="middle">0%</text>'
        '<text class="openiom-chart__label" x="{r}" y="{tick}" text-anchor="middle">100%</text>'
        '<text class="openiom-chart__label" x="{lt}" y="{ty}" text-anchor="end">100%</text>',
        l=left,
        r=left + size,
        b=bottom,
        t=bottom - size,
        p=path,
        cx=left + size / 2,
        xl=bottom + 40,
        xt=x_label,
        cy=bottom - size / 2,
        yt=y_label,
        tick=bottom + 18,
        lt=left - 6,
        ty=bottom - size + 5,
    )
    return _svg(ident, title, description, 420, 390, body)


def _svg(ident: str, title: str, description: str, width: int, height: int, body: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every interpolated value is escaped above or here
        f'<svg class="openiom-chart" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description)}</desc>'
        f"{body}</svg>"
    )


RATIO_MIN, RATIO_MAX = 0.1, 10.0


def ratio_chart(
    *,
    ident: str,
    title: str,
    description: str,
    rows: list[tuple[str, float | None, float | None, float | None, str]],
) -> SafeString:
    """Rate ratios with their intervals on a log scale from 0.1 to 10, a line at 1 (no difference):
    rows of (label, ratio, low, high, text); a row with no ratio shows its text only."""
    import math

    left, usable = LABEL_WIDTH, WIDTH - LABEL_WIDTH - 130
    top = GAP + 16
    height = top + len(rows) * (BAR_HEIGHT + GAP) + GAP

    def x(value: float) -> float:
        clipped = min(max(value, RATIO_MIN), RATIO_MAX)
        span = math.log(RATIO_MAX) - math.log(RATIO_MIN)
        return left + usable * (math.log(clipped) - math.log(RATIO_MIN)) / span

    parts = [
        format_html(
            '<line class="openiom-chart__axis" x1="{x}" y1="{t}" x2="{x}" y2="{b}" stroke-dasharray="4 4"></line>'
            '<text class="openiom-chart__label" x="{x}" y="{ly}" text-anchor="middle">1</text>'
            '<text class="openiom-chart__label" x="{x0}" y="{ly}" text-anchor="middle">0.1</text>'
            '<text class="openiom-chart__label" x="{x1}" y="{ly}" text-anchor="middle">10</text>',
            x=f"{x(1.0):.1f}",
            x0=f"{x(RATIO_MIN):.1f}",
            x1=f"{x(RATIO_MAX):.1f}",
            t=top,
            b=height - GAP,
            ly=top - 4,
        )
    ]
    for index, (label, ratio, low, high, text) in enumerate(rows):
        y = top + GAP + index * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT / 2
        parts.append(
            format_html(
                '<text class="openiom-chart__label" x="{}" y="{}" text-anchor="end">{}</text>',
                left - 8,
                y + 16,
                label,
            )
        )
        if low is not None and high is not None:
            parts.append(
                format_html(
                    '<line class="openiom-chart__line" stroke="#0b0c0c" stroke-width="2" x1="{}" y1="{}" x2="{}" y2="{}"></line>',
                    f"{x(low):.1f}",
                    f"{middle:.1f}",
                    f"{x(high):.1f}",
                    f"{middle:.1f}",
                )
            )
        if ratio is not None:
            parts.append(
                format_html(
                    '<rect class="openiom-chart__bar" x="{}" y="{}" width="10" height="10"></rect>',
                    f"{x(ratio) - 5:.1f}",
                    f"{middle - 5:.1f}",
                )
            )
        parts.append(
            format_html(
                '<text class="openiom-chart__label" x="{}" y="{}">{}</text>', left + usable + 12, y + 16, text
            )
        )
    return _svg(ident, title, description, WIDTH, height, "".join(parts))
