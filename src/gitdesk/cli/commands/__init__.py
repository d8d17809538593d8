"""click commands, one module per area; cli.main registers them lazily."""
