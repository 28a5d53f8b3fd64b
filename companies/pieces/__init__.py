"""The pieces after registration: the connectors (which agency procedures apply to a company,
as data), filing them over X-Road once each, and reading their state."""
