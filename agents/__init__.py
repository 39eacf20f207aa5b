"""Faust agents: they move records between topics, tables and the functional core in ``domain``."""
