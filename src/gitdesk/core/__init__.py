"""The pure core: ticket codec, lifecycle table, actions, SLA arithmetic, merge, rules. No disk, no git."""
