"""An example qualcoop plugin package (see qualcoop's ``docs/plugins.md``).

- ``prefix.v1`` (rule kind): each term matches tokens that begin with it;
- ``org.v1`` (extractor): Emacs Org-mode files (``.org``), headings as regions;
- ``tsv.v1`` (table format): tab-separated tables, written and read back.

Nothing here is imported by ``import qualcoop``: qualcoop finds these through their entry
points and imports a module the first time its plugin is asked for.
"""

__version__ = "0.1.0"
