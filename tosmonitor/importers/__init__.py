"""Backfill history from elsewhere: Open Terms Archive versions (and snapshots) repositories."""

from tosmonitor.importers.ota import OTAImportError, OTAImportReport, import_ota

__all__ = ["OTAImportError", "OTAImportReport", "import_ota"]
