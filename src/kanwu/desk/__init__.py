"""The editors' desk in the browser: ``kanwu serve``.

`server` runs a local web page (127.0.0.1 only) that shows the pages of the
latest build beside the findings, rebuilds on save and updates the page by
itself; `view` turns a build into what the page shows (pages, findings with
their place on the page, downloads), `places` finds where a finding sits on
its page, `source` reads the lines a finding names. The page's own files are
in ``static/``.
"""
