"""tosmonitor: watch the terms of service of a town's online channels."""

__version__ = "0.1.0"
