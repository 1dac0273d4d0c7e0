"""The ``nvreq`` command line: thin wiring over the library; the only code that prints."""
