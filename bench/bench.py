"""``make bench``: time cold, no-op and incremental builds on this machine.

Prints markdown tables and writes bench/RESULTS.md. The code lives in
scripts/prp/tools/bench.py; ``--help`` lists the options (``--quick`` for one
repetition without the scale run).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from prp.tools.bench import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
