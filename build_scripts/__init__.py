"""Dossier's build scripts: load -> validate -> link -> render -> publish.

Each stage is one module; ``pipeline.run`` chains the first four and ``publish`` hands the
pages to MkDocs (a hook) or to a folder. ``python -m build_scripts`` is the command line.
"""
