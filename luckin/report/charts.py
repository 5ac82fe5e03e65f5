"""Charts for the report suite: Altair specs rendered to SVG by vl-convert (no browser, no CDN).

Every chart is a static SVG string, inlined in the HTML pages and written beside the Markdown
files, so the suite reads offline and renders without JavaScript. Dates are plotted in UTC
(`utc*` time units), so a month never slips to the previous day on a machine in New York.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

WIDTH = 680
HEIGHT = 260
PALETTE = ["#1f3c88", "#e8772e", "#2a9d8f", "#c0392b", "#8e6bbf", "#7f8c8d", "#d4a017", "#3d9970",
           "#b5651d", "#5dade2", "#a93226", "#17202a"]

_TIME_UNITS = {"month": ("utcyearmonth", "%b %Y"), "week": ("utcyearmonthdate", "%d %b"),
               "day": ("utcyearmonthdate", "%d %b")}


def utc_text(series: pd.Series, fmt: str) -> pd.Series:
    """A datetime column as text in UTC, whether it came zoned (Postgres) or naive (DuckDB)."""
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    return series.dt.strftime(fmt)


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy safe for Vega-Lite: datetimes as ISO strings (UTC), no NaN in text columns."""
    out = frame.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = utc_text(out[col], "%Y-%m-%dT%H:%M:%SZ")
    return out


def _x(field: str, title: str, kind: str):
    if kind in _TIME_UNITS:
        unit, fmt = _TIME_UNITS[kind]
        return alt.X(f"{field}:T", timeUnit=unit, title=title, axis=alt.Axis(format=fmt, labelAngle=0))
    if kind == "ordinal":
        return alt.X(f"{field}:O", title=title, axis=alt.Axis(labelAngle=0))
    if kind == "nominal":
        return alt.X(f"{field}:N", title=title, sort=None, axis=alt.Axis(labelAngle=-30))
    return alt.X(f"{field}:Q", title=title)


def _y(field: str, title: str, fmt: str | None = None, zero: bool = True):
    axis = alt.Axis(format=fmt) if fmt else alt.Axis()
    return alt.Y(f"{field}:Q", title=title, axis=axis, scale=alt.Scale(zero=zero))


def _color(field: str | None, title: str | None = None):
    if not field:
        return alt.Undefined
    return alt.Color(f"{field}:N", title=title or field.replace("_", " "), scale=alt.Scale(range=PALETTE),
                     sort=None)


def line(frame: pd.DataFrame, x: str, y: str | list[str], *, x_kind: str = "month", x_title: str = "",
         y_title: str = "", y_format: str | None = None, color: str | None = None, color_title: str | None = None,
         zero: bool = True, points: bool = True, width: int = WIDTH, height: int = HEIGHT) -> alt.Chart:
    """A line chart; several y columns are folded into one series per column."""
    data = _prepare(frame)
    if isinstance(y, list):
        data = data.melt(id_vars=[x], value_vars=y, var_name="series", value_name="value")
        data["series"] = data["series"].str.replace("_", " ")
        y, color, color_title = "value", "series", color_title or ""
    chart = alt.Chart(data).mark_line(point=points, strokeWidth=2).encode(
        x=_x(x, x_title, x_kind), y=_y(y, y_title, y_format, zero), color=_color(color, color_title))
    if not color:
        chart = chart.mark_line(point=points, strokeWidth=2, color=PALETTE[0])
    return chart.properties(width=width, height=height)


def bar(frame: pd.DataFrame, x: str, y: str, *, x_kind: str = "nominal", x_title: str = "", y_title: str = "",
        y_format: str | None = None, color: str | None = None, color_title: str | None = None,
        horizontal: bool = False, stack: bool = True, width: int = WIDTH, height: int = HEIGHT) -> alt.Chart:
    """A bar chart: stacked by `color` (or grouped side by side with stack=False); months on an
    ordinal axis ("Jul 2025"); horizontal bars keep the frame's order."""
    data = _prepare(frame)
    if x_kind == "month":
        months = pd.to_datetime(frame[x])
        if getattr(months.dt, "tz", None) is not None:
            months = months.dt.tz_convert("UTC").dt.tz_localize(None)
        data["_month"] = months.dt.strftime("%b %Y").to_numpy()
        order = list(dict.fromkeys(data.loc[months.sort_values().index, "_month"]))
        x, x_enc = "_month", alt.X("_month:O", title=x_title, sort=order, axis=alt.Axis(labelAngle=0))
    else:
        x_enc = _x(x, x_title, x_kind)
    value_axis = alt.Axis(format=y_format) if y_format else alt.Axis()
    grouped = bool(color) and not stack
    if horizontal:
        enc = dict(y=alt.Y(f"{x}:N", title=x_title, sort=None, axis=alt.Axis(labelLimit=260)),
                   x=alt.X(f"{y}:Q", title=y_title, axis=value_axis, stack=None if grouped else "zero"))
        if grouped:
            enc["yOffset"] = alt.YOffset(f"{color}:N", sort=None)
        height = max(height, (14 * (data[color].nunique() if grouped else 1) + 6) * data[x].nunique())
    else:
        enc = dict(x=x_enc, y=alt.Y(f"{y}:Q", title=y_title, axis=value_axis, stack=None if grouped else "zero"))
        if grouped:
            enc["xOffset"] = alt.XOffset(f"{color}:N", sort=None)
    mark = alt.Chart(data).mark_bar() if color else alt.Chart(data).mark_bar(color=PALETTE[0])
    chart = mark.encode(**enc, color=_color(color, color_title))
    return chart.properties(width=width, height=height)


def heatmap(frame: pd.DataFrame, x: str, y: str, value: str, *, x_title: str = "", y_title: str = "",
            value_title: str = "", value_format: str = ".0%", y_kind: str = "month",
            width: int = WIDTH, height: int | None = None) -> alt.Chart:
    """A heat map (cohort retention): x ordinal, y a month, the cell colour and label the value."""
    data = _prepare(frame)
    if y_kind == "month":
        data["_y_label"] = pd.to_datetime(data[y]).dt.strftime("%Y-%m")
        y_enc = alt.Y("_y_label:O", title=y_title, sort="ascending")
    else:
        y_enc = alt.Y(f"{y}:O", title=y_title)
    rows = data[y].nunique()
    base = alt.Chart(data).encode(x=alt.X(f"{x}:O", title=x_title, axis=alt.Axis(labelAngle=0)), y=y_enc)
    cells = base.mark_rect().encode(
        color=alt.Color(f"{value}:Q", title=value_title, scale=alt.Scale(scheme="blues"),
                        legend=alt.Legend(format=value_format)))
    labels = base.mark_text(fontSize=9).encode(
        text=alt.Text(f"{value}:Q", format=value_format),
        color=alt.condition(f"datum.{value} > 0.5", alt.value("white"), alt.value("#17202a")))
    return (cells + labels).properties(width=width, height=height or max(120, 24 * rows))


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as a standalone SVG document (vl-convert; no network)."""
    import vl_convert as vlc

    spec = chart.configure_view(stroke=None).configure_axis(labelFontSize=11, titleFontSize=12).to_dict()
    return vlc.vegalite_to_svg(spec)
