"""The site: every page and asset of a build, the build cache, what the built site leaves out, and
the MkDocs plugin that hands them to MkDocs."""
