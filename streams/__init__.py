"""Pantau's streaming shell: settings, topics, codecs, the Faust app, local services and the CLI."""
