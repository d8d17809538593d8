"""The command-line face: click commands over the Desk."""
