"""The static pages a build publishes: the download page and the print shop's page (Jinja2)."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, Template, select_autoescape

PAGE_TEMPLATE = """\
<!DOCTYPE html>
<html lang="de" dir="ltr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="brochures {{ version }}">
<meta name="brochures-page" content="{{ stamp }}">
<link rel="icon" href="data:,">
<title>{{ heading }}</title>
<style>
:root { color-scheme: light; --ink: #1f2a33; --accent: #1d4f73; --muted: #4a5a66;
  --line: #b8c7d3; --tint: #f2f6f9; }
html { font-family: "Noto Sans", "DejaVu Sans", system-ui, sans-serif; color: var(--ink);
  background: #fff; line-height: 1.5; }
body { margin: 0 auto; max-width: 75rem; padding: 1rem 1.25rem 3rem; }
h1 { color: var(--accent); font-size: 1.75rem; line-height: 1.25; margin-block: 0.5rem 0.75rem; }
h2 { color: var(--accent); font-size: 1.4rem; line-height: 1.3; margin-block: 2rem 0.25rem;
  padding-block-end: 0.2rem; border-block-end: 2px solid var(--accent); }
h3 { font-size: 1.15rem; line-height: 1.3; margin: 0; }
a { color: var(--accent); text-underline-offset: 0.15em; }
a:focus-visible { outline: 3px solid #9a4a00; outline-offset: 2px; }
.lead { max-width: 48rem; }
.description { margin-block: 0.4rem 1rem; color: var(--muted); }
.languages { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.9rem;
  grid-template-columns: repeat(auto-fill, minmax(21rem, 1fr)); }
.language { display: flex; gap: 0.9rem; align-items: flex-start; padding: 0.8rem;
  border: 1px solid var(--line); border-radius: 6px; background: var(--tint); }
.language img { flex: none; width: 5.5rem; height: auto; border: 1px solid var(--line);
  background: #fff; }
.german-name { font-weight: normal; font-size: 0.9rem; color: var(--muted); }
.translated-title { margin: 0.1rem 0 0; }
.badge { display: inline-block; margin: 0.35rem 0 0; padding: 0.05rem 0.45rem;
  border: 1px solid #8a5a00; border-radius: 4px; background: #fff4dc; color: #3d2a00;
  font-size: 0.875rem; }
.downloads { margin: 0.4rem 0 0; padding-inline-start: 1.1rem; }
.downloads li { margin-block: 0.3rem; }
.meta { white-space: nowrap; }
.preparing { margin: 0.35rem 0 0; color: var(--muted); }
/* in the link's name for screen readers (which brochure), not repeated on screen */
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip-path: inset(50%); white-space: nowrap; }
footer { margin-block-start: 2.5rem; font-size: 0.875rem; color: var(--muted); }
{% for code, family in font_rules %}
[lang|="{{ code }}"] { font-family: {{ family|safe }}; }
{% endfor %}
</style>
</head>
<body>
<header>
<h1>{{ heading }}</h1>
{% if print_shop %}
<p class="lead">Druckvorlagen der Broschüren zum Integrationskonzept für die Druckerei:
{{ print_facts }} Zum Verteilen und Versenden sind die PDFs der
<a href="../index.html">Download-Seite</a> gedacht.</p>
{% else %}
<p class="lead">Informationen aus dem Integrationskonzept für Eltern, Jugendliche und alle
Interessierten – zum Herunterladen, Ausdrucken und Weitergeben per E-Mail oder Messenger. Jede
Broschüre gibt es auf Deutsch, in weiteren Sprachen und zweisprachig (Deutsch neben der
Übersetzung).</p>
{% endif %}
<p class="lead"><span class="badge">Noch nicht geprüft</span> Diese Übersetzung ist ein Entwurf
oder maschinell erstellt und wurde noch nicht von Muttersprachlern geprüft; maßgeblich ist die
deutsche Fassung. Texte ohne Übersetzung stehen auf Deutsch da.</p>
{% if brochures %}
<nav aria-label="Broschüren">
<ul>
{% for b in brochures %}
<li><a href="#{{ b.id }}">{{ b.title }}</a></li>
{% endfor %}
</ul>
</nav>
{% endif %}
</header>
<main>
{% for b in brochures %}
<section id="{{ b.id }}" aria-labelledby="{{ b.id }}-title">
<h2 id="{{ b.id }}-title">{{ b.title }}</h2>
<p class="description">{{ b.description }}</p>
<ul class="languages">
{% for l in b.languages %}
<li class="language">
{% if l.thumbnail %}
<img src="{{ l.thumbnail.src }}" alt=""
  width="{{ l.thumbnail.width }}" height="{{ l.thumbnail.height }}">
{% endif %}
<div>
<h3><span lang="{{ l.code }}" dir="{{ l.dir }}">{{ l.native }}</span>
{%- if l.german_name %} <span class="german-name">({{ l.german_name }})</span>{% endif %}</h3>
{% if l.title %}
<p class="translated-title" lang="{{ l.code }}" dir="{{ l.dir }}">{{ l.title }}</p>
{% endif %}
{% if l.badge %}
<p class="badge"><strong>Noch nicht geprüft:</strong> {{ l.badge }}</p>
{% endif %}
{% if l.preparing %}
<p class="preparing">in Vorbereitung / <span lang="en">in preparation</span></p>
{% endif %}
{% if l.files %}
<ul class="downloads">
{% for f in l.files %}
<li><a href="{{ f.href }}" type="application/pdf">{{ f.action }}:
<span class="visually-hidden">{{ b.title }},</span>
{% if f.bilingual %}zweisprachig Deutsch und {% endif %}
<span lang="{{ l.code }}" dir="{{ l.dir }}">{{ l.native }}</span>
<span class="meta">({{ f.size }}, {{ f.pages }})</span></a></li>
{% endfor %}
</ul>
{% endif %}
</div>
</li>
{% endfor %}
</ul>
</section>
{% else %}
<p>Noch keine Broschüren gebaut.</p>
{% endfor %}
</main>
<footer>
<p>Alle Texte stammen aus dem Integrationskonzept oder sind als Einleitung dazu formuliert.
Erstellt mit brochures {{ version }}.</p>
</footer>
</body>
</html>
"""


@cache
def page_template() -> Template:
    """The pages' template, compiled when a page is to be written."""
    return Environment(
        autoescape=select_autoescape(default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    ).from_string(PAGE_TEMPLATE)
