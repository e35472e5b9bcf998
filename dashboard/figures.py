"""Every chart's plotly figure, built one way: dashboard panels, alerts, the assistant's results, the history pages.

Figures are built with `plotly.graph_objects` directly (plotly express costs ~5x more per figure).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd
import plotly.graph_objects as go

Kind = Literal["line", "area", "bar"]
DATE_TEXT = r"^\d{4}-\d{2}-\d{2}"
"""Text that starts like a date: a column of it is read as a time axis when every value parses."""


def _trace(kind: Kind, x: Any, y: Any, name: str, color: str | None) -> go.BaseTraceType:
    if kind == "bar":
        return go.Bar(x=x, y=y, name=name, marker_color=color)
    return go.Scatter(x=x, y=y, name=name, mode="lines", stackgroup="one" if kind == "area" else None,
                      line_color=color)


def series(frame: pd.DataFrame, x: str, ys: Sequence[str], kind: Kind = "line", *, color: str | None = None,
           colors: Mapping[str, str] | None = None, height: int | None = None, title: str | None = None,
           y_title: str | None = None, y_range: tuple[float, float] | None = None,
           barmode: str = "stack") -> go.Figure:
    """One trace per y column, or per value of `color` (of the first y column); `height` makes it a compact card.

    A full-size figure names its axes (the y axis after its one column, else "value") and its legend ("variable",
    or the `color` column); a compact one shows only the legend, under the plot, when there is more than one trace.
    """
    colors = colors or {}
    if color:
        traces = [_trace(kind, part[x], part[ys[0]], str(name), colors.get(str(name)))
                  for name, part in frame.groupby(color, sort=True)]
    else:
        traces = [_trace(kind, frame[x], frame[y], y, colors.get(y)) for y in ys]
    figure = go.Figure(traces)
    figure.update_layout(barmode=barmode, showlegend=len(traces) > 1)
    if title:
        figure.update_layout(title={"text": title})
    if height:
        figure.update_layout(height=height, margin={"l": 0, "r": 0, "t": 40 if title else 10, "b": 0},
                             legend={"orientation": "h", "y": -0.2})
    else:
        figure.update_layout(xaxis={"title": {"text": x}}, margin={"t": 60},
                             legend={"title": {"text": color or "variable"}, "tracegroupgap": 0})
        y_title = y_title or (ys[0] if len(ys) == 1 and not color else "value")
    if y_title:
        figure.update_layout(yaxis={"title": {"text": y_title}})
    if y_range:
        figure.update_yaxes(range=list(y_range))
    return figure


def _is_text(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values)


def _as_time(values: pd.Series) -> pd.Series | None:
    """The values as UTC times when every one of them parses, else None."""
    parsed = pd.to_datetime(values, errors="coerce", utc=True)
    return parsed if parsed.notna().all() else None


def auto(frame: pd.DataFrame | None, hint: Mapping[str, Any] | None = None, *,
         rankings: bool = False) -> go.Figure | None:
    """A figure for a result whose shape says how to draw it, else None.

    `hint` (`kind`, `x`, `y`, as a panel declares them) wins when its columns exist; otherwise a first column of times
    (or of date text) with numbers after it is drawn as lines, and with `rankings` a label column followed by a
    number as bars. One row is no chart.
    """
    if frame is None or len(frame) < 2:
        return None
    hint = hint or {}
    x, ys = hint.get("x"), [y for y in hint.get("y", []) if y in frame.columns]
    if x in frame.columns and ys:
        if hint.get("kind") == "bar":
            return series(frame, x, ys[:1], "bar", barmode="relative")
        times = _as_time(frame[x]) if _is_text(frame[x]) else None
        return series(frame if times is None else frame.assign(**{x: times}), x, ys)
    first = frame.columns[0]
    numeric = [c for c in frame.columns[1:] if pd.api.types.is_numeric_dtype(frame[c])]
    if not numeric:
        return None
    column = frame[first]
    if pd.api.types.is_datetime64_any_dtype(column):
        return series(frame, first, numeric[:3])
    if not _is_text(column):
        return None
    if column.astype(str).str.match(DATE_TEXT).all() and (times := _as_time(column)) is not None:
        return series(frame.assign(**{first: times}), first, numeric[:3])
    if rankings:
        return series(frame, first, numeric[:1], "bar", barmode="relative")
    return None
