"""``python -m nvreq``."""

from nvreq.cli.main import entry

entry()
