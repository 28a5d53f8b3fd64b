# Django's es_MX formats, with the time zone after every time of day: "2 de diciembre de 2026
# a las 14:05 CST". The rest (DATE_FORMAT "j \d\e F \d\e Y", separators) is Django's.
DATETIME_FORMAT = r"j \d\e F \d\e Y \a \l\a\s H:i T"
SHORT_DATETIME_FORMAT = "d/m/Y H:i T"
