"""The one git seam: every git process gitdesk runs starts here."""
