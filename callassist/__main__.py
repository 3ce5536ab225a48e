from callassist.cli import main

raise SystemExit(main())
