"""The one error type users see: a single line on stderr and exit code 2."""


class AdapterkitError(Exception):
    """Bad input or an unusable environment, explained in one line.

    The message must name the file, line or option at fault and say what to do;
    the CLI prints it as ``error: <message>`` and exits with code 2.
    """

    exit_code = 2
