"""``python -m lexquery`` — the same command as ``lexquery`` (lexquery.cli)."""
import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
