"""gitdesk validate: the desk-wide and change-wide checks CI runs."""
