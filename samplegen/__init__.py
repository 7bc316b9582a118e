"""Files drawn by the project's own code for its tests, samples and benchmarks: memos, scanned pages,
photos, Office documents and e-mails. Not part of the installed package."""
