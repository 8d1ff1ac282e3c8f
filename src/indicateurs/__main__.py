"""`python -m indicateurs …`: the command line lives in `indicateurs.cli`."""

from indicateurs.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
