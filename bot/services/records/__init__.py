"""Records: the team's spreadsheets as commands — refunds, courier queries, complaints, problems, reviews."""
