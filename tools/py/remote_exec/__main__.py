"""python -m remote_exec: the Remote Execution engine (see engine.py; run it with tools/remote-exec)."""

import sys

from remote_exec.engine import main

if __name__ == "__main__":
    sys.exit(main())
