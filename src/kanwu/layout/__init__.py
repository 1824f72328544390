"""The layout stage: layout folders, HTML generation with Jinja2."""
