"""The commands of ``adapterkit``: one module per command or small group of commands.

Each command is a small typed function whose parameters are Typer options (declared once, in
``options``, when more than one command has them) and whose docstring is its ``--help``. It
checks nothing itself: it builds the request of the module that does the work, calls it, prints
what the user reads and records the summary line (``invocation.summarise``). Heavy modules are
imported inside the functions, so ``adapterkit --help`` loads no model library.

``adapterkit.cli`` registers these functions on the app and runs them (errors, exit codes);
nothing else imports this package, and nothing here imports ``adapterkit.cli``.
"""
