"""The command line: options in, one core call, rendered out."""
