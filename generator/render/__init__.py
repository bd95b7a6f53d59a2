"""Words and pictures: the phrases that explain a failure, the command line's reports, the pages,
matrices, verdict, explorer data and diagrams, with the Jinja2 templates."""
