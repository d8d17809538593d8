"""Click commands, one module per area; each parses options, calls the Desk once, prints."""
