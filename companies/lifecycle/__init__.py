"""A registered company's life: the filings on it, who may file what, and how a registered
filing becomes the register's next dated state (issue 14)."""
