"""Static SVG charts drawn by hand: no JavaScript, no CDN, readable with images off (each has a title)."""

from __future__ import annotations

from collections.abc import Sequence

from gitdesk.i18n import Translator
from gitdesk.site.markup import e

COLOURS = ("#3f51b5", "#ef6c00", "#2e7d32", "#c62828", "#6a1b9a")
FONT = 'font-family="system-ui, sans-serif" font-size="12"'


def _svg(width: int, height: int, title: str, body: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{e(title)}"><title>{e(title)}</title>'
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>{body}</svg>\n'
    )


def _number(value: float, tr: Translator) -> str:
    return tr.number(value, 0 if value >= 10 or value == int(value) else 1)


def hbar_chart(title: str, rows: Sequence[tuple[str, float]], tr: Translator, unit: str = "") -> str:
    """Horizontal bars, one per row: label, bar, value."""
    width, row_h, label_w, pad = 640, 28, 150, 12
    height = pad * 2 + row_h * max(len(rows), 1) + 20
    top = max((v for _, v in rows), default=0) or 1
    span = width - label_w - 90
    parts = [f'<text x="{pad}" y="{pad + 8}" {FONT} font-weight="bold">{e(title)}</text>']
    for i, (label, value) in enumerate(rows):
        y = pad + 20 + i * row_h
        bar = max(0.0, value) / top * span
        parts.append(f'<text x="{pad}" y="{y + 16}" {FONT}>{e(label)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{bar:.1f}" height="{row_h - 10}" '
            f'fill="{COLOURS[i % len(COLOURS)]}"/>'
        )
        parts.append(f'<text x="{label_w + bar + 6:.1f}" y="{y + 16}" {FONT}>{e(_number(value, tr))}{e(unit)}</text>')
    if not rows:
        parts.append(f'<text x="{pad}" y="{pad + 36}" {FONT}>{e(tr._("No data yet."))}</text>')
    return _svg(width, height, title, "".join(parts))


def column_chart(
    title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], tr: Translator
) -> str:
    """Grouped columns over time (one group per label), with a legend and a y-axis maximum."""
    width, height, left, bottom, top_pad = 720, 272, 40, 40, 52  # the legend has a row of its own under the title
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    top = max((v for _, values in series for v in values), default=0) or 1
    group = plot_w / max(len(labels), 1)
    bar_w = max(1.0, group * 0.8 / max(len(series), 1))
    parts = [
        f'<text x="{left}" y="16" {FONT} font-weight="bold">{e(title)}</text>',
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 10}" y2="{top_pad + plot_h}" stroke="#999"/>',
        f'<text x="4" y="{top_pad + 4}" {FONT}>{e(_number(top, tr))}</text>',
        f'<text x="4" y="{top_pad + plot_h}" {FONT}>0</text>',
    ]
    for s, (name, values) in enumerate(series):
        colour = COLOURS[s % len(COLOURS)]
        parts.append(
            f'<rect x="{left + s * 110}" y="24" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + 16 + s * 110}" y="34" {FONT}>{e(name)}</text>'
        )
        for i, value in enumerate(values):
            h = max(0.0, value) / top * plot_h
            x = left + i * group + group * 0.1 + s * bar_w
            parts.append(
                f'<rect x="{x:.1f}" y="{top_pad + plot_h - h:.1f}" width="{bar_w:.1f}" '
                f'height="{h:.1f}" fill="{colour}"><title>{e(labels[i])} {e(name)}: '
                f"{e(_number(value, tr))}</title></rect>"
            )
    step = max(1, len(labels) // 8)
    for i in range(0, len(labels), step):
        parts.append(f'<text x="{left + i * group:.1f}" y="{height - 20}" {FONT}>{e(labels[i])}</text>')
    if not labels:
        parts.append(f'<text x="{left}" y="{top_pad + 30}" {FONT}>{e(tr._("No data yet."))}</text>')
    return _svg(width, height, title, "".join(parts))
