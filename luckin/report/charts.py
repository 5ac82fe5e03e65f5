"""The report suite's one chart style: Altair specs rendered to SVG by vl-convert (no browser, no CDN).

Rules every chart follows (set here once, not per chart):
- labels, legends and titles are never truncated: long labels wrap onto more lines at word
  boundaries (`wrap`, at most WRAP characters a line) and no label limit is set;
- category axes with long names are drawn as horizontal bars (labels read left to right; no
  rotated labels); time axes show months as "Jun 2025";
- up to 12 series get 12 distinct colours (PALETTE); more, or 11 stores' curves, are drawn as
  small multiples (`small_multiples`), one panel per store;
- money axes have a "$" and thousands separators and no cents ("$4,000"); per-unit money
  (AOV, prices) keeps cents only where the range is a few dollars;
- partial periods (the first and the current month) are faded and labelled "partial";
- every mark carries its values as a hover text (`<title>` in the SVG), formatted by
  luckin.report.fmt like the tables.

Charts are static SVG strings, inlined in the HTML pages and written beside the Markdown files.
Dates are plotted in UTC so a month never slips to the previous day on a machine in New York.
"""

from __future__ import annotations

import html
import re
import textwrap

import altair as alt
import pandas as pd

from . import fmt

WIDTH = 640
HEIGHT = 240
WRAP = 22  # characters per line of a wrapped label
FONT = "DejaVu Sans"
# 12 distinct colours (Tableau 10 plus two), in an order where neighbours contrast.
PALETTE = ["#1f3c88", "#e8772e", "#2a9d8f", "#c0392b", "#8e6bbf", "#7f8c8d", "#d4a017", "#3d9970",
           "#b5651d", "#5dade2", "#e377c2", "#17202a"]
PARTIAL_OPACITY = 0.35

# value kinds: axis format and hover format
_AXIS_FORMAT = {"money": "$,.0f", "unit_money": "$,.2f", "count": ",.0f", "share": ".0%", "seconds": ",.0f",
                "average": ",.1f", "number": ",.0f"}
_HOVER = {"money": lambda v: fmt.money(v), "unit_money": lambda v: fmt.money(v, cents=True),
          "count": fmt.count, "share": fmt.share, "seconds": fmt.seconds, "average": fmt.average,
          "number": fmt.average}
_SPLIT = 'split(datum.label, "\\n")'


def wrap(text, width: int = WRAP) -> str:
    """A label on several lines at word boundaries ("\n" between them); never cut."""
    text = "" if text is None else str(text)
    if len(text) <= width:
        return text
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=False, break_on_hyphens=False)) or text


def utc_text(series: pd.Series, pattern: str) -> pd.Series:
    """A datetime column as text in UTC, whether it came zoned (Postgres) or naive (DuckDB)."""
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return series.dt.strftime(pattern)


def _naive(series: pd.Series) -> pd.Series:
    series = pd.to_datetime(series)
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return series


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy safe for Vega-Lite: datetimes as ISO strings (UTC)."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = utc_text(out[col], "%Y-%m-%dT%H:%M:%SZ")
    return out.reset_index(drop=True)


def _ticks(length: float, per_tick: float = 100) -> int:
    """How many ticks a value axis of `length` pixels gets: one per `per_tick` pixels (labels such
    as "$120,000" need about 60), so neighbouring labels never touch."""
    return max(2, int(length // per_tick))


_COMPACT_FORMAT = {"money": "$.3~s", "unit_money": "$.3~s", "count": ".3~s", "number": ".3~s"}


def _axis(kind: str | None = None, largest: float | None = None, **kw) -> alt.Axis:
    """An axis of the suite's style; value axes reaching 100,000 read compactly ("$3.5M", "500k")."""
    options = dict(labelLimit=0, titleLimit=0, labelOverlap="greedy", labelAngle=0, titlePadding=10)
    if kind:
        big = largest is not None and largest >= 100_000 and kind in _COMPACT_FORMAT
        options["format"] = _COMPACT_FORMAT[kind] if big else _AXIS_FORMAT[kind]
    options.update(kw)
    return alt.Axis(**options)


def _category_axis(**kw) -> alt.Axis:
    """A nominal axis whose labels may hold "\n" (wrapped): drawn on several lines."""
    return _axis(labelExpr=_SPLIT, labelOverlap=False, **kw)


def _legend(title: str | None) -> alt.Legend:
    return alt.Legend(title=title or None, labelLimit=0, titleLimit=0, labelExpr=_SPLIT, orient="bottom",
                      columns=4, symbolLimit=0)


def _color(field: str | None, title: str | None = None, order: list | None = None):
    if not field:
        return alt.Undefined
    return alt.Color(f"{field}:N", scale=alt.Scale(range=PALETTE), sort=order, legend=_legend(title))


def _largest(data: pd.DataFrame, y: str, stacked_by: str | None = None) -> float:
    """The largest value the axis must reach (stacked: the largest stack)."""
    values = pd.to_numeric(data[y], errors="coerce").abs()
    if stacked_by and stacked_by in data and len(data):
        values = values.groupby(data["_x"] if "_x" in data else data.index).sum()
    return float(values.max()) if len(values) and values.notna().any() else 0.0


def _hover(data: pd.DataFrame, parts: list[tuple[str, str, str | None]]) -> pd.Series:
    """The hover text of each row: "label: value" parts joined by " · "."""
    def one(row) -> str:
        out = []
        for column, kind, name in parts:
            v = row[column]
            text = _HOVER[kind](v) if kind in _HOVER else str(v).replace("\n", " ")
            out.append(f"{name}: {text}" if name else text)
        return " · ".join(out)
    return data.apply(one, axis=1) if len(data) else pd.Series([], dtype=str)


def _months(frame: pd.DataFrame, column: str, partial: str | None) -> tuple[pd.Series, list[str], pd.Series]:
    """Month labels ("Jun 2025", "Feb 2026\npartial"), their order, and the partial flags."""
    months = _naive(frame[column])
    flags = frame[partial].fillna(False).astype(bool) if partial and partial in frame else pd.Series(False, frame.index)
    labels = months.dt.strftime("%b %Y") + flags.map(lambda p: "\npartial" if p else "")
    order = list(dict.fromkeys(labels.loc[months.sort_values().index]))
    return labels, order, flags


def bar(frame: pd.DataFrame, x: str, y: str, *, x_kind: str = "nominal", x_title: str = "", y_title: str = "",
        kind: str = "count", color: str | None = None, color_title: str | None = None, horizontal: bool = False,
        stack: bool = True, partial: str | None = None, width: int = WIDTH, height: int = HEIGHT,
        label: str | None = None, links: dict[str, str] | None = None) -> alt.Chart:
    """A bar chart: months on an ordinal axis (partial months faded and labelled), categories as
    horizontal bars (horizontal=True) in the frame's order, stacked by `color` or side by side
    (stack=False). kind: how values read (money, unit_money, count, share, seconds, average).
    links: category -> page; a click on the category's bar opens it (the store pages)."""
    data = _prepare(frame)
    faded = pd.Series(False, index=data.index)
    if x_kind == "month":
        data["_x"], order, faded = _months(frame.reset_index(drop=True), x, partial)
        x_name = "month"
    else:
        data["_x"] = data[x].map(lambda v: wrap(v))
        order = list(dict.fromkeys(data["_x"]))
        x_name = x_title or fmt.label(x)
    data["_faded"] = faded.to_numpy()
    data["_color"] = data[color].map(fmt.code_label).map(wrap) if color else ""
    parts = [("_x", "text", None)] + ([("_color", "text", None)] if color else []) + [(y, kind, label or y_title or None)]
    data["_hover"] = _hover(data, parts)
    grouped = bool(color) and not stack
    value = alt.X if horizontal else alt.Y
    category = alt.Y if horizontal else alt.X
    enc = {
        ("x" if horizontal else "y"): value(f"{y}:Q", title=y_title,
                                            axis=_axis(kind, _largest(data, y, color if not grouped else None),
                                                       tickCount=_ticks(min(width, 520) if horizontal
                                                                        else height, 100 if horizontal else 40)),
                                            stack=None if grouped else "zero"),
        ("y" if horizontal else "x"): category("_x:N", title=x_title or None, sort=order,
                                               axis=_category_axis()),
        "description": alt.Description("_hover:N"),
        "opacity": alt.condition("datum._faded", alt.value(PARTIAL_OPACITY), alt.value(1.0)),
    }
    if links:
        data["_href"] = data[x].map(lambda v: links.get(v, ""))
        enc["href"] = alt.Href("_href:N")
    if color:
        series = list(dict.fromkeys(data["_color"]))
        enc["color"] = _color("_color", color_title, series)
        if grouped:
            offset = alt.YOffset if horizontal else alt.XOffset
            enc["yOffset" if horizontal else "xOffset"] = offset("_color:N", sort=series)
    mark = alt.Chart(data).mark_bar() if color else alt.Chart(data).mark_bar(color=PALETTE[0])
    if horizontal:
        lines = max(1, int(data["_x"].str.count("\n").max() + 1)) if len(data) else 1
        per_row = max(18 * lines, (16 * (data["_color"].nunique() if grouped else 1)) + 6)
        height = max(60, per_row * data["_x"].nunique())
        width = min(width, 520)
    del x_name
    return mark.encode(**enc).properties(width=width, height=height)


def line(frame: pd.DataFrame, x: str, y: str | list[str], *, x_kind: str = "month", x_title: str = "",
         y_title: str = "", kind: str = "count", color: str | None = None, color_title: str | None = None,
         names: dict[str, str] | None = None, zero: bool = True, points: bool = True, partial: str | None = None,
         width: int = WIDTH, height: int = HEIGHT) -> alt.Chart:
    """A line chart; several y columns are folded into one series each (`names` labels them).
    Partial periods (a boolean column `partial`) are drawn as faded points."""
    data = _prepare(frame)
    if isinstance(y, list):
        keep = [x] + ([partial] if partial else [])
        data = data.melt(id_vars=keep, value_vars=y, var_name="_series", value_name="_value")
        data["_series"] = data["_series"].map(lambda c: (names or {}).get(c, fmt.label(c)))
        y, color = "_value", "_series"
    if color:
        data["_color"] = data[color].map(fmt.code_label).map(wrap)
    data["_faded"] = data[partial].fillna(False).astype(bool) if partial else False
    if x_kind in ("month", "week", "day"):
        when = _naive(data[x])
        data["_when"] = when.dt.strftime("%b %Y" if x_kind == "month" else "%b %d, %Y")
        # a tick every `step` months ("Jun 2025"), at least 70 px apart; the end labels kept inside
        span = (when.max().year - when.min().year) * 12 + when.max().month - when.min().month + 1 if len(when) else 1
        step = max(1, -(-span * 70 // width))
        x_enc = alt.X(f"{x}:T", timeUnit="utcyearmonth" if x_kind == "month" else "utcyearmonthdate",
                      title=x_title or None,
                      axis=_axis(format="%b %Y", tickCount=alt.TickCount(interval="month", step=int(step)), labelFlush=True,
                                 labelLimit=0))
        x_part = ("_when", "text", None)
    else:
        x_enc = alt.X(f"{x}:Q", title=x_title or None, axis=_axis("count", tickCount=_ticks(width, 60)))
        x_part = (x, "count", x_title or fmt.label(x))
    parts = ([("_color", "text", None)] if color else []) + [x_part, (y, kind, None if color else (y_title or None))]
    data["_hover"] = _hover(data, parts)
    enc = dict(x=x_enc, y=alt.Y(f"{y}:Q", title=y_title,
                                axis=_axis(kind, _largest(data, y), tickCount=_ticks(height, 40)),
                                scale=alt.Scale(zero=zero)))
    series = list(dict.fromkeys(data["_color"])) if color else None
    base = alt.Chart(data)
    if color:
        lines = base.mark_line(strokeWidth=2).encode(**enc, color=_color("_color", color_title, series))
        dots = base.mark_point(filled=True, size=36).encode(
            **enc, color=alt.Color("_color:N", scale=alt.Scale(range=PALETTE), sort=series, legend=None),
            description=alt.Description("_hover:N"),
            opacity=alt.condition("datum._faded", alt.value(PARTIAL_OPACITY), alt.value(1.0)))
    else:
        lines = base.mark_line(strokeWidth=2, color=PALETTE[0]).encode(**enc)
        dots = base.mark_point(filled=True, size=36, color=PALETTE[0]).encode(
            **enc, description=alt.Description("_hover:N"),
            opacity=alt.condition("datum._faded", alt.value(PARTIAL_OPACITY), alt.value(1.0)))
    layers = [lines, dots] if points or True else [lines]
    return alt.layer(*layers).properties(width=width, height=height)


def small_multiples(frame: pd.DataFrame, x: str, y: str, panel: str, *, x_title: str = "", y_title: str = "",
                    kind: str = "count", columns: int = 4, width: int = 130, height: int = 90,
                    reference: bool = True) -> alt.Chart:
    """One small line chart per `panel` value (e.g. a store), the same axes everywhere; with
    reference=True the median of all panels is drawn in grey behind each line."""
    data = _prepare(frame)
    data["_panel"] = data[panel].map(lambda v: wrap(v, 20))
    data["_hover"] = _hover(data, [("_panel", "text", None), (x, "count", x_title or fmt.label(x)),
                                   (y, kind, y_title or None)])
    x_enc = alt.X(f"{x}:Q", title=x_title or None, axis=_axis("count", tickCount=4))
    y_enc = alt.Y(f"{y}:Q", title=y_title or None, axis=_axis(kind, tickCount=3))
    layers = []
    if reference:
        median = data.groupby(x, as_index=False)[y].median()
        layers.append(alt.Chart(median).mark_line(color="#c3c9d2", strokeWidth=1.5).encode(x=x_enc, y=y_enc))
    layers.append(alt.Chart().mark_line(color=PALETTE[0], strokeWidth=2).encode(x=x_enc, y=y_enc))
    layers.append(alt.Chart().mark_point(color=PALETTE[0], size=10, filled=True).encode(
        x=x_enc, y=y_enc, description=alt.Description("_hover:N")))
    chart = alt.layer(*layers, data=data).properties(width=width, height=height)
    return chart.facet(facet=alt.Facet("_panel:N", title=None, header=alt.Header(labelExpr=_SPLIT, labelLimit=0,
                                                                               labelFontSize=11)),
                       columns=columns)


def heatmap(frame: pd.DataFrame, x: str, y: str, value: str, *, x_title: str = "", y_title: str = "",
            value_title: str = "", kind: str = "share", width: int = 520, height: int | None = None) -> alt.Chart:
    """A heat map (cohort retention): x ordinal, y a month ("Jun 2025"), the cell colour and label the value."""
    data = _prepare(frame)
    data["_y"] = _naive(frame[y].reset_index(drop=True)).dt.strftime("%b %Y")
    order = list(dict.fromkeys(data.loc[_naive(frame[y].reset_index(drop=True)).sort_values().index, "_y"]))
    data["_hover"] = _hover(data, [("_y", "text", y_title or None), (x, "count", x_title or None),
                                   (value, kind, value_title or None)])
    rows = data["_y"].nunique()
    base = alt.Chart(data).encode(x=alt.X(f"{x}:O", title=x_title, axis=_axis()),
                                  y=alt.Y("_y:O", title=y_title, sort=order, axis=_axis(titlePadding=14)))
    cells = base.mark_rect().encode(
        color=alt.Color(f"{value}:Q", title=value_title, scale=alt.Scale(scheme="blues"),
                        legend=alt.Legend(format=_AXIS_FORMAT[kind], orient="right", titleLimit=0)),
        description=alt.Description("_hover:N"))
    labels = base.mark_text(fontSize=9).encode(
        text=alt.Text(f"{value}:Q", format=_AXIS_FORMAT[kind]),
        color=alt.condition(f"datum['{value}'] > 0.5", alt.value("white"), alt.value("#17202a")))
    return (cells + labels).properties(width=width, height=height or max(120, 22 * rows))


_MARK = re.compile(r'<(path|rect|circle|line|text|g)\b([^>]*?)\saria-label="([^"]*)"([^>]*?)(/?)>')


def _titles(svg: str) -> str:
    """Give every data mark its hover text as an SVG <title> child (browsers show it on hover)."""
    def repl(m: re.Match) -> str:
        tag, before, text, after, closing = m.groups()
        attrs = f"{before}{after}"
        if 'role="graphics-symbol"' not in attrs or "aria-roledescription=\"axis\"" in attrs:
            return m.group(0)
        title = f"<title>{text}</title>"  # already escaped by Vega's SVG writer
        if closing:
            return f"<{tag}{attrs} aria-label=\"{text}\">{title}</{tag}>"
        return f"<{tag}{attrs} aria-label=\"{text}\">{title}"
    return _MARK.sub(repl, svg)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as a standalone SVG document (vl-convert; no network), marks with <title>s."""
    import vl_convert as vlc

    spec = (chart.configure(font=FONT)
            .configure_view(stroke=None)
            .configure_axis(labelFontSize=11, titleFontSize=12, labelColor="#34495e", titleColor="#17202a")
            .configure_legend(labelFontSize=11, titleFontSize=11)
            .to_dict())
    svg = vlc.vegalite_to_svg(spec)
    # vl-convert resolves links against its data loader's base URL; the site's links are relative
    svg = re.sub(r'xlink:href="https?://vega\.github\.io/vega-datasets/', 'xlink:href="', svg)
    return _titles(svg)


def escape_title(text: str) -> str:
    return html.escape(text, quote=True)
