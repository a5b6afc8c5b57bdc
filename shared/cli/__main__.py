"""`python -m shared.cli`: the `pedns` command."""

from . import main

raise SystemExit(main())
