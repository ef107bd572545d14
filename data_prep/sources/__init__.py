"""One converter per hub dataset: a function from one record (the hub's own schema) to one row."""
