"""`smscan ui`: a local page to drop files and folders on, and the JSON API behind it."""
