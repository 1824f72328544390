"""The text stage: Chinese normalisation, Markdown body parsing and line composition.

Nothing here imports WeasyPrint or Jinja2; font metrics come from HarfBuzz.
"""
