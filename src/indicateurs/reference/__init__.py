"""What the atlas knows before reading any data: the sources, the indicators, the method text."""

from pathlib import Path

METHOD_FILE = Path(__file__).with_name("methode.md")
