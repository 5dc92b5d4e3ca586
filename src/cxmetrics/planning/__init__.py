"""From history to a staffing plan: forecast contacts, staff every interval, project a backlog."""

from cxmetrics.planning.backlog import BacklogProjection, project_backlog
from cxmetrics.planning.backtest import backtest_forecast
from cxmetrics.planning.forecast import VolumeForecast, forecast_volume
from cxmetrics.planning.plan import StaffingPlan, staffing_plan

__all__ = [
    "BacklogProjection",
    "StaffingPlan",
    "VolumeForecast",
    "backtest_forecast",
    "forecast_volume",
    "project_backlog",
    "staffing_plan",
]
