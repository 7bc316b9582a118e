"""Ways to show FileReports: console (rich), JSON Lines, HTML."""
