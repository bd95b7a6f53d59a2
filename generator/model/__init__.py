"""What a design is: an architecture file read safely, its schema, the references inside it, and the
problems found on the way."""
