"""Business-hours calendars: weekly hours, holidays and DST, as vectorised timelines."""

from cxmetrics.calendars.business_calendar import BusinessCalendar, as_epoch_seconds

__all__ = ["BusinessCalendar", "as_epoch_seconds"]
