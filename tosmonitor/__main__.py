from tosmonitor.cli import cli

cli()
