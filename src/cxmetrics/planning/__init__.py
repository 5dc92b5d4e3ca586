"""From history to a staffing plan: forecast contacts, staff every interval, project a backlog."""

from cxmetrics.planning.backtest import backtest_forecast
from cxmetrics.planning.forecast import VolumeForecast, forecast_volume

__all__ = ["VolumeForecast", "backtest_forecast", "forecast_volume"]
