"""The groups of states the report speaks of: the southern border region
and the states on the U.S. border (used by maps and by numbers in the text,
so kept apart from the drawing code)."""

SOUTHERN_STATES = ["Chiapas", "Tabasco", "Oaxaca", "Veracruz", "Campeche"]
US_BORDER_STATES = [
    "Baja California",
    "Sonora",
    "Chihuahua",
    "Coahuila",
    "Nuevo León",
    "Tamaulipas",
]
