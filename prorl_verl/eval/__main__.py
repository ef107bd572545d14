"""``python -m prorl_verl.eval``: pass@k evaluation of checkpoints (see ``--help``)."""

from prorl_verl.eval.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
