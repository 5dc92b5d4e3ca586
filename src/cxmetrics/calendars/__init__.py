"""Business-hours calendars: weekly hours, holidays and DST, as vectorised timelines."""

from cxmetrics.calendars.business_calendar import BusinessCalendar, as_epoch_seconds
from cxmetrics.calendars.history import CalendarHistory

__all__ = ["BusinessCalendar", "CalendarHistory", "as_epoch_seconds"]
