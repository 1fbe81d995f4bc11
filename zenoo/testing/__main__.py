"""``python -m zenoo.testing``: run the embedded Odoo-compatible server (see ``console``)."""

from .console import main

raise SystemExit(main())
