"""The public status site and knowledge base, generated in memory from the desk.

Everything here except `plugin.py` is plain Python that never imports MkDocs:
`builder.SiteBuilder` turns the desk into pages (handed to MkDocs) and output
files (written straight into the site directory), so moving off MkDocs later
means replacing one thin module.
"""
