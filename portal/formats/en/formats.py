# English on a Mexican portal: day, month, year as in Spanish ("2 December 2026"), a 24-hour
# clock and the time zone after every time of day ("2 December 2026, 14:05 CST").
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i T"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i T"
