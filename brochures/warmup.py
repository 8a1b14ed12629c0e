"""Imported by the process PDF workers fork from (workers.PRELOAD): WeasyPrint warmed up once."""

# Importing this module is its whole job: WeasyPrint and its libraries imported (0.6 s), the
# shared font configuration made, German hyphenation loaded and one small page in every script
# laid out and written. Workers forked afterwards start with all of it in place. Imported
# anywhere else it only costs that time.

from brochures.pdf import quiet_weasyprint_logs, warm_up
from brochures.workers import warm_hyphenation

quiet_weasyprint_logs()
warm_hyphenation(["de"])
warm_up()
