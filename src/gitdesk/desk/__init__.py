"""The Desk: the one door every write goes through."""
