"""Business-hours calendars: weekly hours, holidays and DST, as vectorised timelines."""

from cxmetrics.calendars.business_calendar import BusinessCalendar, as_epoch_seconds
from cxmetrics.calendars.history import CalendarHistory
from cxmetrics.calendars.rules import CalendarRule

__all__ = ["BusinessCalendar", "CalendarHistory", "CalendarRule", "as_epoch_seconds"]
