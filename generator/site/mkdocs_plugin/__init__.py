"""The MkDocs plugin `refarch`: thin glue between MkDocs events and `generator.site`."""
