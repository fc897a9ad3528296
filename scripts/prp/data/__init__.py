"""The data layer: the data package descriptor, validation of raw files
against it, cross-dataset checks, input errors, atomic writes, and the code
that derives data (the seeded synthetic event generator, the map geometry)."""
