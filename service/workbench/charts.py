"""Charts drawn on the server as SVG: no script, no CDN, readable on a phone and in print."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from markupsafe import Markup

Number = int | Decimal
PALETTE = ("#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#0891b2")


def _fmt(value: Number) -> str:
    if isinstance(value, Decimal):
        value = (
            value.normalize() if value == value.to_integral() else value.quantize(Decimal("0.1"))
        )
        return f"{value:,f}"
    return f"{value:,}"


# The label column is 140 units wide: eight CJK characters at the chart's font size.
LABEL_CHARS = 8


def _short(label: str) -> str:
    """A label that fits the label column; the whole one is the element's title."""
    width = sum(2 if ord(c) > 0x2E7F else 1 for c in label)
    if width <= 2 * LABEL_CHARS:
        return label
    out, used = "", 0
    for c in label:
        used += 2 if ord(c) > 0x2E7F else 1
        if used > 2 * LABEL_CHARS - 2:
            return out + "…"
        out += c
    return out


def _empty(note: str) -> Markup:
    return Markup('<p class="chart-empty">{}</p>').format(note)


def bar_chart(
    items: Sequence[tuple[str, Number]], *, label: str, empty: str = "—", series: Sequence[str] = ()
) -> Markup:
    """Horizontal bars, one per item (divisions, kinds): the label left, the value right."""
    return grouped_bar_chart(
        [(name, [value]) for name, value in items], label=label, empty=empty, series=series
    )


def grouped_bar_chart(
    items: Sequence[tuple[str, Sequence[Number]]],
    *,
    label: str,
    series: Sequence[str] = (),
    empty: str = "—",
) -> Markup:
    """Horizontal bars with one bar per series for each item (declared against attested)."""
    if not items:
        return _empty(empty)
    per = max(len(values) for _, values in items)
    top = max((v for _, values in items for v in values), default=0) or 1
    bar, gap, left, right, width = 16, 10, 140, 70, 480
    row = per * bar + gap
    per_line = 2 if len(series) > 2 else max(len(series), 1)  # four names need two lines
    legend = 24 * -(-len(series) // per_line)
    height = legend + row * len(items) + gap
    parts = [
        Markup(
            '<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="100%" '
            'preserveAspectRatio="xMinYMin meet" aria-label="{label}">'
        ).format(w=width, h=height, label=label)
    ]
    for s, name in enumerate(series):
        x, ly = left + (s % per_line) * 150, 24 * (s // per_line)
        parts.append(
            Markup(
                '<rect x="{x}" y="{ry}" width="12" height="12" fill="{c}"/>'
                '<text x="{tx}" y="{ty}" class="legend">{name}</text>'
            ).format(x=x, ry=ly + 6, c=PALETTE[s % len(PALETTE)], tx=x + 18, ty=ly + 16, name=name)
        )
    span = width - left - right
    for i, (name, values) in enumerate(items):
        y = legend + gap + i * row
        parts.append(
            Markup(
                '<text x="{x}" y="{y}" class="label" text-anchor="end">'
                "<title>{name}</title>{short}</text>"
            ).format(x=left - 8, y=y + per * bar / 2 + 4, name=name, short=_short(name))
        )
        for s, value in enumerate(values):
            w = max(float(value) / float(top) * span, 1.0 if value else 0.0)
            by = y + s * bar
            parts.append(
                Markup(
                    '<rect x="{x}" y="{y}" width="{w:.1f}" height="{h}" fill="{c}">'
                    "<title>{name}: {v}</title></rect>"
                    '<text x="{tx:.1f}" y="{ty}" class="value">{v}</text>'
                ).format(
                    x=left,
                    y=by,
                    w=w,
                    h=bar - 2,
                    c=PALETTE[s % len(PALETTE)],
                    name=name,
                    v=_fmt(value),
                    tx=left + w + 4,
                    ty=by + bar - 4,
                )
            )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def column_chart(points: Sequence[tuple[str, Number]], *, label: str, empty: str = "—") -> Markup:
    """Vertical columns over time (months, days): the first and last label under the axis."""
    if not points:
        return _empty(empty)
    width, height, bottom, top_pad = 480, 200, 28, 18
    top = max(v for _, v in points) or 1
    step = width / len(points)
    col = max(step * 0.7, 1.0)
    parts = [
        Markup(
            '<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="100%" '
            'preserveAspectRatio="xMinYMin meet" aria-label="{label}">'
        ).format(w=width, h=height, label=label),
        Markup('<line x1="0" y1="{y}" x2="{w}" y2="{y}" class="axis"/>').format(
            y=height - bottom, w=width
        ),
    ]
    span = height - bottom - top_pad
    for i, (name, value) in enumerate(points):
        h = float(value) / float(top) * span
        x = i * step + (step - col) / 2
        parts.append(
            Markup(
                '<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{c}">'
                "<title>{name}: {v}</title></rect>"
            ).format(x=x, y=height - bottom - h, w=col, h=h, c=PALETTE[0], name=name, v=_fmt(value))
        )
    for anchor, (name, _) in (("start", points[0]), ("end", points[-1])):
        x = 0 if anchor == "start" else width
        parts.append(
            Markup('<text x="{x}" y="{y}" class="label" text-anchor="{a}">{name}</text>').format(
                x=x, y=height - 8, a=anchor, name=name
            )
        )
    parts.append(Markup('<text x="0" y="12" class="value">{v}</text>').format(v=_fmt(top)))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


__all__ = ["bar_chart", "column_chart", "grouped_bar_chart"]
