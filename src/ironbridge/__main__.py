"""`python -m ironbridge` runs the command line."""

from .cli import app

app(prog_name="ironbridge")
