"""Terminal output: colour when it helps, plain text when it would get in the way.

Colour is used only when stdout is a terminal and NO_COLOR is unset
(https://no-color.org), so piped output, CI logs and files stay clean.
Every external command is echoed in a dim line first: students should learn
the cmake/ctest commands underneath the tool, not just the tool.
"""

import os
import re
import shlex
import shutil
import sys
import textwrap

MAX_WIDTH, MIN_WIDTH = 100, 60
_CODES = {"red": "31", "green": "32", "yellow": "33", "blue": "34", "bold": "1", "dim": "2"}


class Term:
    """Formats and prints; one instance is shared by a whole command."""

    def __init__(self, stream=None, color=None, echo_commands=True):
        self.stream = stream or sys.stdout
        if color is None:
            color = self.stream.isatty() and "NO_COLOR" not in os.environ
        self.color = color
        self.echo_commands = echo_commands
        # Paragraphs are wrapped here, between words, so that a narrow
        # terminal never wraps them itself in the middle of one.
        columns = shutil.get_terminal_size((MAX_WIDTH, 24)).columns if self.stream.isatty() else MAX_WIDTH
        self.width = max(MIN_WIDTH, min(MAX_WIDTH, columns))

    def style(self, text, *names):
        """Wraps text in ANSI codes for each style name (no-op without colour)."""
        if not self.color or not names:
            return text
        codes = ";".join(_CODES[n] for n in names)
        return f"\033[{codes}m{text}\033[0m"

    def red(self, text):
        return self.style(text, "red")

    def green(self, text):
        return self.style(text, "green")

    def yellow(self, text):
        return self.style(text, "yellow")

    def bold(self, text):
        return self.style(text, "bold")

    def dim(self, text):
        return self.style(text, "dim")

    def clear(self):
        """Clears a terminal so that the next lines redraw the screen; nothing elsewhere."""
        if self.stream.isatty():
            self.stream.write("\033[H\033[2J")
            self.stream.flush()

    def print(self, text=""):
        print(text, file=self.stream, flush=True)

    def command(self, argv, cwd=None):
        """Echoes a command the way a student would type it in the repo root."""
        if not self.echo_commands:
            return
        line = shlex.join(str(a) for a in argv)
        if cwd:
            line = f"(cd {shlex.quote(str(cwd))} && {line})"
        self.print(self.dim(f"$ {line}"))

    def note(self, text):
        """A highlighted advisory paragraph (host problems, next steps)."""
        self.print(self.yellow(textwrap.fill(" ".join(text.split()), width=self.width,
                                             break_on_hyphens=False, break_long_words=False)))

    def wrapped(self, text, indent, first=None, lead=""):
        """Prints a paragraph re-flowed to the terminal's width under an indent, words whole.

        `first` is the first line's indent (default: `indent`); `lead` starts
        the first line and may carry colour codes, which take no width.
        """
        first = indent if first is None else first
        plain = self._strip(lead)
        lines = textwrap.wrap(plain + " ".join(text.split()), width=self.width, initial_indent=first,
                              subsequent_indent=indent, break_on_hyphens=False, break_long_words=False)
        if lines and lead:
            lines[0] = first + lead + lines[0][len(first) + len(plain):]
        self.print("\n".join(lines))

    @staticmethod
    def _strip(text):
        return re.sub(r"\033\[[0-9;]*m", "", text)
