"""Reports: a period's figures, charts and exports."""
