"""Every validation rule, a named function in a registry."""
