"""The monthly series as a server-rendered SVG line chart (the same numbers are in a table)."""

from __future__ import annotations

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 20, 50
# Colour and dash both tell the lines apart (colour alone would not, for everyone).
STROKES = {"managed": ("#1d70b8", "none"), "comparison": ("#d4351c", "6 4")}


def series_chart(
    *, ident: str, title: str, description: str, lines: dict[str, list[tuple[int, float]]]
) -> SafeString:
    """Lines of (month relative to the anchor, value), with the anchor month marked."""
    points = [p for line in lines.values() for p in line]
    if not points:
        return mark_safe("")
    low_x, high_x = min(x for x, _ in points), max(x for x, _ in points)
    top = max((y for _, y in points), default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(x: float) -> float:
        return LEFT + plot_w * (x - low_x) / max(high_x - low_x, 1)

    def py(y: float) -> float:
        return TOP + plot_h * (1 - y / top)

    body = [
        format_html(
            '<line class="openiom-chart__axis" x1="{}" y1="{}" x2="{}" y2="{}"></line>'
            '<line class="openiom-chart__axis" x1="{}" y1="{}" x2="{}" y2="{}" stroke-dasharray="4 4"></line>'
            '<text class="openiom-chart__label" x="{}" y="{}" text-anchor="middle">{}</text>'
            '<text class="openiom-chart__label" x="{}" y="{}" text-anchor="start">{}</text>'
            '<text class="openiom-chart__label" x="{}" y="{}" text-anchor="end">{}</text>'
            '<text class="openiom-chart__label" x="{}" y="{}" text-anchor="end">{}</text>',
            LEFT,
            TOP + plot_h,
            LEFT + plot_w,
            TOP + plot_h,
            px(0),
            TOP,
            px(0),
            TOP + plot_h,
            px(0),
            HEIGHT - 10,
            "adoption month",
            LEFT,
            HEIGHT - 28,
            f"month {low_x}",
            LEFT + plot_w,
            HEIGHT - 28,
            f"month {high_x:+d}",
            LEFT - 6,
            TOP + 10,
            f"{top:.2f}",
        )
    ]
    for group, line in lines.items():
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in line)
        colour, dash = STROKES.get(group, STROKES["managed"])
        body.append(
            format_html(
                '<polyline class="openiom-chart__line" fill="none" stroke="{}" stroke-width="3" '
                'stroke-dasharray="{}" points="{}"></polyline>',
                colour,
                dash,
                path,
            )
        )
    return mark_safe(  # noqa: S308 - every interpolated value is escaped above or here
        f'<svg class="openiom-chart" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description)}</desc>'
        f"{''.join(body)}</svg>"
    )
