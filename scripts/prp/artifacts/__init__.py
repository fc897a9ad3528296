"""Helpers of the scripts that make tables, figures and numbers: the
artifact catalog, styles and maps, table formatting, source lines, number
formats and the domain arithmetic (revenue estimates, crime tables,
reconciliation with the 2018 print)."""
