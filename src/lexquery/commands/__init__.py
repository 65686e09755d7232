"""Subcommands of the `lexquery` CLI: each module exposes ``register(subparsers)``."""
